package org.fleetrec.web;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.fleetrec.model.IpLiteral;

/**
 * A plain list of indicators, one a line: addresses, CIDR blocks, domains, URLs, MD5/SHA-1/SHA-256
 * hashes and file names, told apart by their shape. {@code type:value} says the kind outright
 * ({@code domain:}, {@code file:}, {@code url:}, {@code ip:}, {@code md5:}, {@code sha1:},
 * {@code sha256:}); blank lines and {@code #} comments are skipped; defanged values
 * ({@code evil[.]com}, {@code hxxp://}) are read as meant.
 */
final class IndicatorList {
    /** A dotted word ending in one of these is taken for a file name, not a domain (say {@code domain:} otherwise). */
    private static final Set<String> FILE_EXTENSIONS = Set.of("exe", "dll", "sys", "scr", "ps1", "psm1", "bat", "cmd",
            "vbs", "vbe", "js", "jse", "hta", "msi", "lnk", "jar", "py", "sh", "elf", "so", "bin", "dmg", "apk", "doc",
            "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "pdf", "rtf", "zip", "rar", "7z", "gz", "tgz", "tar",
            "iso", "img", "txt", "log", "dat", "tmp", "php", "asp", "aspx", "jsp", "pl", "rb", "ko");

    private IndicatorList() {
    }

    static void read(String text, IndicatorSet into) {
        int lineNumber = 0;
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) end = text.length();
            lineNumber++;
            String line = text.substring(start, end).trim();
            start = end + 1;
            if (line.isEmpty() || line.startsWith("#")) continue;
            line(refang(line), "line " + lineNumber, into);
        }
    }

    private static void line(String value, String where, IndicatorSet into) {
        int colon = value.indexOf(':');
        if (colon > 0) {
            String prefix = value.substring(0, colon).toLowerCase(Locale.ROOT);
            Optional<IndicatorType> named = switch (prefix) {
                case "ip", "cidr" -> Optional.of(IndicatorType.IP);
                case "domain" -> Optional.of(IndicatorType.DOMAIN);
                case "url" -> Optional.of(IndicatorType.URL);
                case "file", "filename", "file-name" -> Optional.of(IndicatorType.FILE_NAME);
                default -> IndicatorType.hash(prefix);
            };
            if (named.isPresent()) {
                into.add(named.get(), value.substring(colon + 1), null, null, where);
                return;
            }
        }
        guess(value).ifPresentOrElse(type -> into.add(type, value, null, null, where),
                () -> into.unsupported(where + ": not an address, domain, URL, hash or file name: " + value));
    }

    static Optional<IndicatorType> guess(String value) {
        if (IpLiteral.addressOrCidr(value).isPresent()) return Optional.of(IndicatorType.IP);
        for (IndicatorType hash : new IndicatorType[]{IndicatorType.MD5, IndicatorType.SHA1, IndicatorType.SHA256}) {
            if (hash.normalize(value).isPresent()) return Optional.of(hash);
        }
        if (value.contains("://")) return Optional.of(IndicatorType.URL);
        // A path or a phrase is no single indicator (a file name with spaces can be given as file:name).
        if (value.indexOf('/') >= 0 || value.indexOf('\\') >= 0 || value.chars().anyMatch(Character::isWhitespace)) return Optional.empty();
        int dot = value.lastIndexOf('.');
        if (dot < 0 || FILE_EXTENSIONS.contains(value.substring(dot + 1).toLowerCase(Locale.ROOT))) {
            return IndicatorType.FILE_NAME.normalize(value).map(v -> IndicatorType.FILE_NAME);
        }
        return DomainName.normalize(value).map(v -> IndicatorType.DOMAIN);
    }

    /** Undoes the usual defanging, which keeps lists from being clickable. */
    static String refang(String value) {
        String text = value.replace("[.]", ".").replace("(.)", ".").replace("{.}", ".").replace("[dot]", ".")
                .replace("[:]", ":").replace("[://]", "://");
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("hxxp://") || lower.startsWith("hxxps://")) text = "http" + text.substring(4);
        return text;
    }
}
