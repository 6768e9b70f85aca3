package org.fleetrec.agent.sysmon;

/** Windows and Linux paths as Sysmon reports them: either separator ends the directory. */
final class Paths {
    private Paths() {
    }

    static String name(String path) {
        if (path == null) return null;
        int cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
        String name = path.substring(cut + 1);
        return name.isEmpty() ? null : name;
    }

    static String directory(String path) {
        if (path == null) return null;
        int cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
        return cut <= 0 ? null : path.substring(0, cut);
    }

    static String extension(String path) {
        String name = name(path);
        if (name == null) return null;
        int dot = name.lastIndexOf('.');
        return dot > 0 && dot < name.length() - 1 ? name.substring(dot + 1) : null;
    }
}
