package org.fleetrec.detection.alert;

import java.util.List;
import java.util.Objects;

/**
 * What an alert needs to know of the rule that matched, and no more: alerts stay independent of
 * how rules are parsed and evaluated, and whoever evaluates them fills this in.
 *
 * @param id    the rule's id (a Sigma rule's UUID); part of the alert id, so it must be stable
 * @param title the rule's title, shown as {@code rule.name}
 * @param level the rule's level
 * @param tags  the rule's tags as written ({@code attack.execution}, {@code attack.t1059.004}, ...); at most 64
 *              are kept, and none longer than 256 characters (a title is cut to 1024)
 */
public record RuleRef(String id, String title, Level level, List<String> tags) {
    static final int MAX_ID = 256;
    static final int MAX_TITLE = 1024;
    static final int MAX_TAGS = 64;
    static final int MAX_TAG = 256;

    public RuleRef {
        Objects.requireNonNull(level, "a rule has a level");
        if (id == null || id.isBlank()) throw new IllegalArgumentException("a rule has an id");
        if (id.length() > MAX_ID) throw new IllegalArgumentException("a rule id has at most " + MAX_ID + " characters");
        if (title == null || title.isBlank()) title = id;
        if (title.length() > MAX_TITLE) title = title.substring(0, MAX_TITLE);
        tags = tags == null ? List.of() : tags.stream().filter(Objects::nonNull).filter(t -> t.length() <= MAX_TAG)
                .limit(MAX_TAGS).toList();
    }

    /** As a rule file states its level: one missing or not a Sigma level counts as medium, neither buried nor shouted. */
    public static RuleRef of(String id, String title, String level, List<String> tags) {
        Level parsed;
        try {
            parsed = Level.parse(level);
        } catch (IllegalArgumentException e) {
            parsed = Level.MEDIUM;
        }
        return new RuleRef(id, title, parsed, tags);
    }
}
