package org.fleetrec.agent.source.windows;

import org.fleetrec.agent.source.line.LogPosition;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bookmark as persisted: what it says, and that nothing else is ever taken for one. */
class WindowsBookmarkPositionTest {
    /** As EvtRender(EvtRenderBookmark) writes it (the layout of "Bookmarking Events" in the Windows documentation). */
    private static final String RENDERED = "<BookmarkList>\r\n  <Bookmark Channel='Microsoft-Windows-Sysmon/Operational' "
            + "RecordId='245760' IsCurrent='true'/>\r\n</BookmarkList>";

    @Test
    void readsTheChannelAndRecordAndRoundTripsTheTextUnchanged() {
        BookmarkPosition position = BookmarkPosition.of(RENDERED);
        assertEquals(245760, position.recordId());
        assertTrue(position.isOf("microsoft-windows-sysmon/operational"), "channel names are case-insensitive");
        assertFalse(position.isOf("Security"));
        BookmarkPosition decoded = BookmarkPosition.decode(position.encode()).orElseThrow();
        assertEquals(RENDERED, decoded.xml(), "handed back to EvtCreateBookmark exactly as rendered");
        assertEquals(position, decoded);
        assertEquals(7, BookmarkPosition.of("<BookmarkList><Bookmark Channel=\"X\" RecordId=\"7\"/></BookmarkList>").recordId(),
                "double quotes too");
    }

    @Test
    void anythingElseIsNotABookmark() {
        assertEquals(Optional.empty(), BookmarkPosition.decode(null));
        assertEquals(Optional.empty(), BookmarkPosition.decode(RENDERED), "not written by encode()");
        String logPosition = new LogPosition(Path.of("/var/log/audit/audit.log"), 10, 10, "00".repeat(32)).encode();
        assertEquals(Optional.empty(), BookmarkPosition.decode(logPosition), "a followed log's position");
        assertEquals(Optional.empty(), LogPosition.decode(BookmarkPosition.of(RENDERED).encode()), "and the other way round");
        assertEquals(Optional.empty(), BookmarkPosition.decode("eventlog-v1 " + "x".repeat(BookmarkPosition.MAX_CHARS + 1)),
                "bounded");
        assertThrows(IllegalArgumentException.class, () -> BookmarkPosition.of("x".repeat(BookmarkPosition.MAX_CHARS + 1)));
    }

    @Test
    void aDamagedOrForeignBookmarkKeepsItsTextButClaimsNoRecord() {
        BookmarkPosition damaged = BookmarkPosition.decode("eventlog-v1 <BookmarkList><Bookm").orElseThrow();
        assertEquals(-1, damaged.recordId());
        assertNull(damaged.channel());
        BookmarkPosition two = BookmarkPosition.of("<BookmarkList><Bookmark Channel='A' RecordId='1'/>"
                + "<Bookmark Channel='B' RecordId='2' IsCurrent='true'/></BookmarkList>");
        assertEquals(-1, two.recordId(), "two channels: no one record to resume after");
        assertEquals(-1, BookmarkPosition.of("<BookmarkList><Bookmark Channel='A' RecordId='99999999999999999999'/></BookmarkList>")
                .recordId(), "a number too long is not read");
    }
}
