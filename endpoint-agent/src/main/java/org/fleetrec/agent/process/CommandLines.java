package org.fleetrec.agent.process;

import java.util.List;

/** Renders argv as one line a person can read and paste into a shell. */
public final class CommandLines {
    private CommandLines() {
    }

    public static String join(List<String> args) {
        StringBuilder line = new StringBuilder();
        for (String arg : args) {
            if (!line.isEmpty()) line.append(' ');
            line.append(quote(arg));
        }
        return line.toString();
    }

    static String quote(String arg) {
        if (!arg.isEmpty() && arg.chars().allMatch(c -> c > ' ' && c < 127 && "'\"\\$`!*?&;|<>(){}[]#~".indexOf(c) < 0)) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    public static String baseName(String path) {
        if (path == null) return null;
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
