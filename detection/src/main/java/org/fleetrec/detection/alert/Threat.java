package org.fleetrec.detection.alert;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MITRE ATT&CK references a Sigma rule's tags carry, in the shape of ECS {@code threat.*}: so an
 * analyst can filter alerts by technique the way Elastic Security does. {@code attack.t1059.004}
 * names the sub-technique T1059.004 of technique T1059 (ECS keeps both: {@code threat.technique.id}
 * T1059 and {@code threat.technique.subtechnique.id} T1059.004); {@code attack.execution} a tactic;
 * {@code attack.g0032} a group and {@code attack.s0002} a software. Other tags are left to {@code rule.tags}.
 */
public record Threat(List<String> tactics, List<String> techniques, List<String> subtechniques,
                     List<String> groups, List<String> software) {
    private static final Pattern TECHNIQUE = Pattern.compile("attack\\.t(\\d{4})(?:\\.(\\d{3}))?");
    private static final Pattern GROUP = Pattern.compile("attack\\.g(\\d{4})");
    private static final Pattern SOFTWARE = Pattern.compile("attack\\.s(\\d{4})");
    private static final Pattern TACTIC = Pattern.compile("attack\\.([a-z]+(?:[-_][a-z]+)*)");
    private static final Set<String> LOWER_CASE_WORDS = Set.of("and", "or", "of", "the");

    public Threat {
        tactics = List.copyOf(tactics);
        techniques = List.copyOf(techniques);
        subtechniques = List.copyOf(subtechniques);
        groups = List.copyOf(groups);
        software = List.copyOf(software);
    }

    public boolean isEmpty() {
        return tactics.isEmpty() && techniques.isEmpty() && groups.isEmpty() && software.isEmpty();
    }

    /** Reads the ATT&CK tags among {@code tags}, in order, each id once. */
    public static Threat fromTags(List<String> tags) {
        Set<String> tactics = new LinkedHashSet<>();
        Set<String> techniques = new LinkedHashSet<>();
        Set<String> subtechniques = new LinkedHashSet<>();
        Set<String> groups = new LinkedHashSet<>();
        Set<String> software = new LinkedHashSet<>();
        for (String raw : tags) {
            String tag = raw.strip().toLowerCase(Locale.ROOT);
            Matcher m;
            if ((m = TECHNIQUE.matcher(tag)).matches()) {
                techniques.add("T" + m.group(1));
                if (m.group(2) != null) subtechniques.add("T" + m.group(1) + "." + m.group(2));
            } else if ((m = GROUP.matcher(tag)).matches()) {
                groups.add("G" + m.group(1));
            } else if ((m = SOFTWARE.matcher(tag)).matches()) {
                software.add("S" + m.group(1));
            } else if ((m = TACTIC.matcher(tag)).matches()) {
                tactics.add(tacticName(m.group(1)));
            }
        }
        return new Threat(new ArrayList<>(tactics), new ArrayList<>(techniques), new ArrayList<>(subtechniques),
                new ArrayList<>(groups), new ArrayList<>(software));
    }

    /** {@code privilege-escalation} → {@code Privilege Escalation}, {@code command-and-control} → {@code Command and Control}, as ATT&CK names them. */
    static String tacticName(String slug) {
        StringBuilder name = new StringBuilder();
        for (String word : slug.split("[-_]")) {
            if (!name.isEmpty()) name.append(' ');
            name.append(!name.isEmpty() && LOWER_CASE_WORDS.contains(word) ? word
                    : Character.toUpperCase(word.charAt(0)) + word.substring(1));
        }
        return name.toString();
    }
}
