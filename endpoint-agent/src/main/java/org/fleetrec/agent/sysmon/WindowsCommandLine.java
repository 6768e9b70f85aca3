package org.fleetrec.agent.sysmon;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Windows command line into argv the way the C runtime does: blanks separate arguments
 * outside quotes; 2n backslashes before a quote give n backslashes and a quote that toggles
 * quoting; 2n+1 give n backslashes and a literal quote; other backslashes are literal; a doubled
 * quote inside quotes is a literal quote that also ends the quoted part (the pre-2008 runtime rule,
 * which is what ECS producers use, so args match theirs).
 */
public final class WindowsCommandLine {
    private WindowsCommandLine() {
    }

    public static List<String> split(String line) {
        List<String> args = new ArrayList<>();
        if (line == null) return args;
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && isBlank(line.charAt(i))) i++;
            if (i >= n) break;
            StringBuilder arg = new StringBuilder();
            boolean quoted = false;
            int slashes = 0;
            for (; i < n; i++) {
                char c = line.charAt(i);
                if (c == '\\') {
                    slashes++;
                    continue;
                }
                if (c == '"') {
                    arg.append("\\".repeat(slashes / 2));
                    if (slashes % 2 == 1) {
                        arg.append('"');
                    } else {
                        if (quoted && i + 1 < n && line.charAt(i + 1) == '"') {
                            arg.append('"');
                            i++;
                        }
                        quoted = !quoted;
                    }
                    slashes = 0;
                    continue;
                }
                arg.append("\\".repeat(slashes));
                slashes = 0;
                if (isBlank(c) && !quoted) break;
                arg.append(c);
            }
            arg.append("\\".repeat(slashes));
            args.add(arg.toString());
        }
        return args;
    }

    /** Sysmon for Linux joins argv with single spaces and no quoting: splitting on blanks is all it allows. */
    public static List<String> splitLinux(String line) {
        List<String> args = new ArrayList<>();
        if (line == null) return args;
        for (String part : line.split("[ \t]+")) {
            if (!part.isEmpty()) args.add(part);
        }
        return args;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
