package org.fleetrec.agent.sysmon;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code SHA1=..,MD5=..,SHA256=..,IMPHASH=..} (or one bare {@code SHA256=..}) as lower-case algorithm → lower-case hex. */
final class SysmonHashes {
    private SysmonHashes() {
    }

    static Map<String, String> parse(String hashes) {
        Map<String, String> out = new LinkedHashMap<>();
        if (hashes == null) return out;
        for (String pair : hashes.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) continue;
            String algorithm = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = pair.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
            // An all-zero hash is Sysmon saying it did not compute one.
            if (!value.isEmpty() && !value.chars().allMatch(c -> c == '0')) out.put(algorithm, value);
        }
        return out;
    }
}
