package org.fleetrec.detection.rules;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rule set every ingest server runs without configuration: the project's own rules (resources
 * of this package), plus what the environment adds to them:
 * <ul>
 *   <li>{@value #C2_ADDRESSES}: a file of command-and-control addresses, turned into one rule
 *       ({@link C2Rule}); a file with a bad line is refused whole (see {@link AddressList});</li>
 *   <li>{@value #SIGMA_DIR}: a SigmaHQ rules folder, of which the rules listed in the
 *       {@code sigmahq-linux.manifest} resource are run ({@link SigmaHqSelection}). SigmaHQ's rules
 *       are read from there, never copied into the project: SigmaHQ keeps and updates them.</li>
 * </ul>
 */
public final class ShippedRules {
    public static final String ORIGIN = "shipped";
    public static final String C2_ADDRESSES = "FLEETREC_C2_ADDRESSES";
    public static final String SIGMA_DIR = "FLEETREC_SIGMA_DIR";

    private ShippedRules() {
    }

    /**
     * The shipped rules, plus those the environment adds to them.
     *
     * @throws IllegalArgumentException when a file or folder the environment names cannot be used
     *                                  (missing, unreadable, or an address list with invalid lines)
     */
    public static List<RuleSource> sources(Map<String, String> env) {
        List<RuleSource> out = new ArrayList<>(OwnRules.sources());
        String addresses = env.get(C2_ADDRESSES);
        if (addresses != null && !addresses.isBlank()) {
            AddressList list = AddressList.read(Path.of(addresses.strip()));
            // An empty list (comments only) is a list not filled yet: no rule, rather than one that cannot match.
            if (!list.networks().isEmpty()) out.add(C2Rule.source(list));
        }
        String sigma = env.get(SIGMA_DIR);
        if (sigma != null && !sigma.isBlank()) out.addAll(SigmaHqSelection.sources(Path.of(sigma.strip())));
        return List.copyOf(out);
    }
}
