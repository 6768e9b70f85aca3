package org.fleetrec.detection.rules;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An operator's list of addresses: one IPv4 or IPv6 address or CIDR network a line, {@code #}
 * starts a comment, blank lines are skipped. {@code name} is the file's name.
 *
 * <p>A list with any invalid line is refused whole, each bad line reported as {@code file:line:
 * reason}: a line that is not an address is the sign of a list that is not what the operator
 * thinks (a CSV export, an HTML error page saved by a download script, a list cut short), and
 * running the part that parses would hide that the detection is not the one intended. Host names
 * are refused, never resolved; so are networks of prefix 0, which would match every connection.
 */
public record AddressList(String name, List<String> networks) {
    static final long MAX_BYTES = 1L << 20;
    /** The list becomes one rule; beyond this the rule itself would be too large to load. */
    static final int MAX_ENTRIES = 5_000;
    /** Bad lines quoted in the error; the count of the rest follows. */
    static final int MAX_REPORTED = 20;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern PREFIX = Pattern.compile("\\d{1,3}");

    public AddressList {
        networks = List.copyOf(networks);
    }

    /** Reads and checks a list file; any problem is an {@link IllegalArgumentException} naming the file. */
    public static AddressList read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_BYTES + 1);
        } catch (IOException e) {
            throw new IllegalArgumentException("address list " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (bytes.length > MAX_BYTES) throw new IllegalArgumentException("address list " + file + " is larger than " + MAX_BYTES + " bytes");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("address list " + file + " is not UTF-8 text");
        }
        Path name = file.getFileName();
        return parse(name == null ? file.toString() : name.toString(), file.toString(), text);
    }

    /** Parses list text; {@code where} names it in errors. */
    public static AddressList parse(String name, String where, String text) {
        Set<String> entries = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            int hash = line.indexOf('#');
            String entry = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (entry.isEmpty()) continue;
            String problem = problem(entry);
            if (problem != null) problems.add(where + ":" + number + ": " + problem);
            else entries.add(entry);
        }
        if (!problems.isEmpty()) {
            StringBuilder message = new StringBuilder("address list " + where + " refused, " + problems.size() + " invalid line"
                    + (problems.size() == 1 ? "" : "s") + " (fix them; no part of the list is used meanwhile):");
            problems.stream().limit(MAX_REPORTED).forEach(p -> message.append("\n  ").append(p));
            if (problems.size() > MAX_REPORTED) message.append("\n  ... and ").append(problems.size() - MAX_REPORTED).append(" more");
            throw new IllegalArgumentException(message.toString());
        }
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("address list " + where + " holds " + entries.size() + " entries, more than "
                    + MAX_ENTRIES + " (one rule): split it or keep the most relevant");
        }
        return new AddressList(name, new ArrayList<>(entries));
    }

    /** Why an entry is not an address or network, or null when it is one. */
    static String problem(String entry) {
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        int bits;
        if (IPV4.matcher(address).matches()) {
            for (String octet : address.split("\\.")) {
                if (Integer.parseInt(octet) > 255) return quote(entry) + " has an IPv4 octet above 255";
                if (octet.length() > 1 && octet.startsWith("0")) return quote(entry) + " has an IPv4 octet with a leading zero (octal?)";
            }
            bits = 32;
        } else if (address.indexOf(':') >= 0 && IPV6.matcher(address).matches()) {
            InetAddress parsed;
            try {
                // With a ':' Java reads the text as an IPv6 literal only: no name lookup.
                parsed = InetAddress.getByName(address);
            } catch (UnknownHostException | IllegalArgumentException e) {
                return quote(entry) + " is not a valid IPv6 address";
            }
            if (parsed instanceof Inet4Address) return quote(entry) + " is an IPv4-mapped IPv6 address: list it as IPv4";
            bits = 128;
        } else {
            return quote(entry) + " is not an IP address or CIDR network (host names are not resolved)";
        }
        if (slash < 0) return null;
        String prefix = entry.substring(slash + 1);
        if (!PREFIX.matcher(prefix).matches() || Integer.parseInt(prefix) > bits) {
            return quote(entry) + " has an invalid prefix length (0-" + bits + ")";
        }
        if (Integer.parseInt(prefix) == 0) return quote(entry) + " has prefix 0, which matches every address";
        return null;
    }

    /** The entry as it can be shown in a log: bounded, control characters escaped. */
    private static String quote(String entry) {
        StringBuilder out = new StringBuilder("'");
        entry.codePoints().limit(60).forEach(c -> {
            if (Character.isISOControl(c)) out.append(String.format("\\x%02x", c & 0xff));
            else out.appendCodePoint(c);
        });
        if (entry.codePointCount(0, entry.length()) > 60) out.append("...");
        return out.append('\'').toString();
    }
}
