package org.fleetrec.agent.source.windows;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rendered event-log bookmark, as the agent persists it with the events it covers, and what it says:
 * which channel, and the record id of the last event taken ({@code <BookmarkList><Bookmark
 * Channel='…' RecordId='…' IsCurrent='true'/></BookmarkList>}, see "Bookmarking Events" in the Windows
 * Event Log documentation). The XML is handed back to EvtCreateBookmark as it was rendered; the fields
 * are read only to check, on resuming, that the next record is the one right after.
 *
 * @param recordId -1 when the XML does not say (the bookmark is still used, only that check is lost)
 * @param channel  null when the XML does not say
 */
public record BookmarkPosition(String xml, String channel, long recordId) {
    private static final String VERSION = "eventlog-v1 ";
    /** A bookmark of one channel is about a hundred characters; anything far larger is not one of ours. */
    static final int MAX_CHARS = 64 << 10;
    private static final Pattern BOOKMARK = Pattern.compile("<Bookmark\\s([^>]{0,4096})/?>");
    private static final Pattern RECORD_ID = Pattern.compile("\\bRecordId\\s*=\\s*['\"](\\d{1,18})['\"]");
    private static final Pattern CHANNEL = Pattern.compile("\\bChannel\\s*=\\s*(?:'([^']{1,1024})'|\"([^\"]{1,1024})\")");

    /** What EvtRender(EvtRenderBookmark) gave. */
    public static BookmarkPosition of(String xml) {
        if (xml == null || xml.length() > MAX_CHARS) throw new IllegalArgumentException("not a bookmark (" + (xml == null ? "null" : xml.length() + " characters") + ")");
        Matcher bookmark = BOOKMARK.matcher(xml);
        String channel = null;
        long recordId = -1;
        int found = 0;
        while (bookmark.find()) {
            found++;
            Matcher id = RECORD_ID.matcher(bookmark.group(1));
            Matcher name = CHANNEL.matcher(bookmark.group(1));
            recordId = id.find() ? Long.parseLong(id.group(1)) : -1;
            channel = name.find() ? (name.group(1) != null ? name.group(1) : name.group(2)) : null;
        }
        // One channel subscribed, one bookmark entry: several would be another program's, with no one record to resume after.
        if (found != 1) return new BookmarkPosition(xml, null, -1);
        return new BookmarkPosition(xml, channel, recordId);
    }

    /** The text to persist: versioned, so that a position of another source is never taken for a bookmark. */
    public String encode() {
        return VERSION + xml;
    }

    /** The position {@link #encode()} wrote; empty for anything else (no position, another source's, too large). */
    public static Optional<BookmarkPosition> decode(String text) {
        if (text == null || !text.startsWith(VERSION) || text.length() > MAX_CHARS + VERSION.length()) return Optional.empty();
        return Optional.of(of(text.substring(VERSION.length())));
    }

    /** Whether the bookmark names {@code expected} (channel names are case-insensitive in Windows). */
    public boolean isOf(String expected) {
        return channel != null && channel.equalsIgnoreCase(expected);
    }
}
