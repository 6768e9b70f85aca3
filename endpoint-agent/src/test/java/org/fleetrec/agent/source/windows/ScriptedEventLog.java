package org.fleetrec.agent.source.windows;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-memory Windows event log with one channel, behind {@link EventLogApi}, for what Linux cannot
 * produce: records numbered one by one, a log that wraps (the oldest records overwritten) or is cleared
 * (numbering starts again at 1), subscriptions that go stale under either, bookmarks, EvtRender's buffer
 * sizes in UTF-16 bytes, and faults scripted per call. It follows the documented behaviour the source
 * relies on: a non-strict subscription after a bookmark whose record is gone starts at the next record
 * there is (or, when every record is older, at the next one written).
 *
 * <p>It also checks the caller: every handle opened is closed exactly once, by kind; EvtNext never asks
 * for more than the limit; EvtSubscribeStrict is never set. Thread-safe: the loop runs on its own thread.
 */
public class ScriptedEventLog implements EventLogApi {
    private static final Pattern RECORD_ID = Pattern.compile("<EventRecordID>\\d*</EventRecordID>");
    private static final Pattern BOOKMARK_ID = Pattern.compile("RecordId='(\\d+)'");

    private record Stored(long id, String xml) {
    }

    private sealed interface Handle permits Signal, Subscription, Query, Event, Bookmark {
    }

    private static final class Signal implements Handle {
        boolean set;
    }

    private static final class Subscription implements Handle {
        final Signal signal;
        long nextId;
        boolean stale;

        Subscription(Signal signal, long nextId) {
            this.signal = signal;
            this.nextId = nextId;
        }
    }

    private static final class Query implements Handle {
        final Deque<Stored> results;

        Query(Deque<Stored> results) {
            this.results = results;
        }
    }

    private record Event(long recordId, String xml) implements Handle {
    }

    private static final class Bookmark implements Handle {
        long recordId = -1;
    }

    private final String channel;
    private final List<Stored> records = new ArrayList<>();
    private long nextId = 1;
    private final Map<Long, Handle> open = new HashMap<>();
    private long nextHandle = 0x1000;
    private final List<String> misuse = new ArrayList<>();

    // Faults, taken in order by the call they are scripted for.
    private final Deque<Integer> nextFaults = new ArrayDeque<>();
    private final Deque<Integer> subscribeAfterBookmarkFaults = new ArrayDeque<>();
    private final Deque<Integer> subscribeOldestFaults = new ArrayDeque<>();
    private final Set<Long> unrenderable = new HashSet<>();
    private int refuseBookmarkXml;

    // What the caller did.
    private int largestNext;
    private final List<Integer> renderBufferSizes = new ArrayList<>();
    private final List<Integer> subscribeFlags = new ArrayList<>();

    public ScriptedEventLog() {
        this(SysmonSubscription.CHANNEL);
    }

    public ScriptedEventLog(String channel) {
        this.channel = channel;
    }

    // ---- the channel ----

    /** Writes an event; its EventRecordID becomes the channel's next number. Returns that number. */
    public synchronized long write(String eventXml) {
        long id = nextId++;
        Matcher m = RECORD_ID.matcher(eventXml);
        String xml = m.find() ? m.replaceFirst("<EventRecordID>" + id + "</EventRecordID>") : eventXml;
        records.add(new Stored(id, xml));
        for (Handle h : open.values()) if (h instanceof Subscription s) s.signal.set = true;
        notifyAll();
        return id;
    }

    public synchronized void writeAll(List<String> events) {
        events.forEach(this::write);
    }

    /** The log wrapped: records up to {@code lastLost} are overwritten. {@code stale}: open subscriptions notice. */
    public synchronized void overwriteUpTo(long lastLost, boolean stale) {
        records.removeIf(r -> r.id() <= lastLost);
        if (stale) markStale();
    }

    /** wevtutil cl: every record gone, numbering starts again at 1, every subscription stale. */
    public synchronized void clear() {
        records.clear();
        nextId = 1;
        markStale();
    }

    private void markStale() {
        for (Handle h : open.values()) if (h instanceof Subscription s) s.stale = true;
    }

    public synchronized long newestId() {
        return records.isEmpty() ? 0 : records.get(records.size() - 1).id();
    }

    // ---- faults ----

    /** The next EvtNext calls on a subscription fail with these codes, one each. */
    public synchronized void failNext(Integer... codes) {
        nextFaults.addAll(List.of(codes));
    }

    public synchronized void failSubscribeAfterBookmark(Integer... codes) {
        subscribeAfterBookmarkFaults.addAll(List.of(codes));
    }

    public synchronized void failSubscribeAtOldest(Integer... codes) {
        subscribeOldestFaults.addAll(List.of(codes));
    }

    /** EvtRender fails (ERROR_EVT_INVALID_EVENT_DATA) for this record. */
    public synchronized void unrenderable(long recordId) {
        unrenderable.add(recordId);
    }

    /** The next {@code count} EvtCreateBookmark calls from XML fail with ERROR_INVALID_PARAMETER. */
    public synchronized void refuseBookmarkXml(int count) {
        refuseBookmarkXml = count;
    }

    // ---- what the caller did ----

    public synchronized int openHandles() {
        return open.size();
    }

    public synchronized String openHandleKinds() {
        return open.values().stream().map(h -> h.getClass().getSimpleName()).sorted().toList().toString();
    }

    public synchronized List<String> misuse() {
        return List.copyOf(misuse);
    }

    public synchronized int largestNext() {
        return largestNext;
    }

    public synchronized List<Integer> renderBufferSizes() {
        return List.copyOf(renderBufferSizes);
    }

    public synchronized List<Integer> subscribeFlags() {
        return List.copyOf(subscribeFlags);
    }

    // ---- EventLogApi ----

    @Override
    public synchronized long createSignal() {
        return add(new Signal());
    }

    @Override
    public synchronized boolean await(long signal, int millis) throws EventLogException {
        Signal s = get(signal, Signal.class, "WaitForSingleObject");
        long deadline = System.currentTimeMillis() + millis;
        try {
            while (!s.set) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) return false;
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    @Override
    public synchronized void reset(long signal) throws EventLogException {
        get(signal, Signal.class, "ResetEvent").set = false;
    }

    @Override
    public synchronized void set(long signal) throws EventLogException {
        get(signal, Signal.class, "SetEvent").set = true;
        notifyAll();
    }

    @Override
    public synchronized void closeSignal(long signal) {
        Handle h = open.remove(signal);
        if (!(h instanceof Signal)) misuse.add("CloseHandle of " + describe(signal, h));
    }

    @Override
    public synchronized long subscribe(long signal, String channel, String query, long bookmark, int flags) throws EventLogException {
        subscribeFlags.add(flags);
        if ((flags & EventLogCodes.SUBSCRIBE_STRICT) != 0) misuse.add("EvtSubscribeStrict set");
        Signal s = get(signal, Signal.class, "EvtSubscribe");
        if (!this.channel.equals(channel)) throw new EventLogException("EvtSubscribe", EventLogCodes.ERROR_EVT_CHANNEL_NOT_FOUND);
        if (!"*".equals(query)) misuse.add("query " + query + " would break record-id continuity");
        long start;
        switch (flags & 3) {
            case EventLogCodes.SUBSCRIBE_START_AFTER_BOOKMARK -> {
                Integer fault = subscribeAfterBookmarkFaults.poll();
                if (fault != null) throw new EventLogException("EvtSubscribe", fault);
                Bookmark b = get(bookmark, Bookmark.class, "EvtSubscribe");
                if (b.recordId < 0) throw new EventLogException("EvtSubscribe", EventLogCodes.ERROR_INVALID_PARAMETER);
                // Not strict: the next record there is after the bookmarked one, or the next written.
                start = records.stream().mapToLong(Stored::id).filter(id -> id > b.recordId).min().orElse(nextId);
            }
            case EventLogCodes.SUBSCRIBE_START_AT_OLDEST -> {
                Integer fault = subscribeOldestFaults.poll();
                if (fault != null) throw new EventLogException("EvtSubscribe", fault);
                start = records.isEmpty() ? nextId : records.get(0).id();
            }
            case EventLogCodes.SUBSCRIBE_TO_FUTURE_EVENTS -> start = nextId;
            default -> throw new EventLogException("EvtSubscribe", EventLogCodes.ERROR_INVALID_PARAMETER);
        }
        Subscription sub = new Subscription(s, start);
        // Existing records are pending at once, as the service signals them.
        if (records.stream().anyMatch(r -> r.id() >= sub.nextId)) s.set = true;
        return add(sub);
    }

    @Override
    public synchronized long query(String channel, String query, int flags) throws EventLogException {
        if (!this.channel.equals(channel)) throw new EventLogException("EvtQuery", EventLogCodes.ERROR_EVT_CHANNEL_NOT_FOUND);
        Deque<Stored> results = new ArrayDeque<>();
        for (Stored r : records) {
            if ((flags & EventLogCodes.QUERY_REVERSE_DIRECTION) != 0) results.addFirst(r);
            else results.addLast(r);
        }
        return add(new Query(results));
    }

    @Override
    public synchronized long[] next(long results, int max, int timeoutMillis) throws EventLogException {
        largestNext = Math.max(largestNext, max);
        Handle h = open.get(results);
        List<Stored> taken = new ArrayList<>();
        if (h instanceof Query q) {
            while (taken.size() < max && !q.results.isEmpty()) taken.add(q.results.poll());
        } else if (h instanceof Subscription s) {
            Integer fault = nextFaults.poll();
            if (fault != null) throw new EventLogException("EvtNext", fault);
            if (s.stale) throw new EventLogException("EvtNext", EventLogCodes.ERROR_EVT_QUERY_RESULT_STALE);
            for (Stored r : records) {
                if (taken.size() == max) break;
                if (r.id() >= s.nextId) taken.add(r);
            }
            if (!taken.isEmpty()) s.nextId = taken.get(taken.size() - 1).id() + 1;
        } else {
            misuse.add("EvtNext on " + describe(results, h));
            throw new EventLogException("EvtNext", 6);
        }
        if (taken.isEmpty()) throw new EventLogException("EvtNext", EventLogCodes.ERROR_NO_MORE_ITEMS);
        long[] out = new long[taken.size()];
        for (int i = 0; i < out.length; i++) out[i] = add(new Event(taken.get(i).id(), taken.get(i).xml()));
        return out;
    }

    @Override
    public synchronized String render(long handle, int flags, int bufferBytes) throws EventLogException {
        renderBufferSizes.add(bufferBytes);
        Handle h = open.get(handle);
        String text;
        if (flags == EventLogCodes.RENDER_EVENT_XML && h instanceof Event e) {
            if (unrenderable.contains(e.recordId())) throw new EventLogException("EvtRender", EventLogCodes.ERROR_EVT_INVALID_EVENT_DATA);
            text = e.xml();
        } else if (flags == EventLogCodes.RENDER_BOOKMARK && h instanceof Bookmark b) {
            text = b.recordId < 0 ? "<BookmarkList>\r\n</BookmarkList>"
                    : "<BookmarkList>\r\n  <Bookmark Channel='" + channel + "' RecordId='" + b.recordId + "' IsCurrent='true'/>\r\n</BookmarkList>";
        } else {
            misuse.add("EvtRender flags " + flags + " of " + describe(handle, h));
            throw new EventLogException("EvtRender", 6);
        }
        long needed = 2L * (text.length() + 1); // UTF-16 with its terminating null
        if (bufferBytes < needed) throw new EventLogException("EvtRender", EventLogCodes.ERROR_INSUFFICIENT_BUFFER, needed);
        return text;
    }

    @Override
    public synchronized long createBookmark(String xml) throws EventLogException {
        Bookmark b = new Bookmark();
        if (xml != null) {
            if (refuseBookmarkXml > 0) {
                refuseBookmarkXml--;
                throw new EventLogException("EvtCreateBookmark", EventLogCodes.ERROR_INVALID_PARAMETER);
            }
            Matcher m = BOOKMARK_ID.matcher(xml);
            if (!xml.contains("Channel='" + channel + "'") || !m.find()) {
                throw new EventLogException("EvtCreateBookmark", EventLogCodes.ERROR_INVALID_PARAMETER);
            }
            b.recordId = Long.parseLong(m.group(1));
        }
        return add(b);
    }

    @Override
    public synchronized void updateBookmark(long bookmark, long event) throws EventLogException {
        Bookmark b = get(bookmark, Bookmark.class, "EvtUpdateBookmark");
        b.recordId = get(event, Event.class, "EvtUpdateBookmark").recordId();
    }

    @Override
    public synchronized void close(long handle) {
        Handle h = open.remove(handle);
        if (h == null || h instanceof Signal) misuse.add("EvtClose of " + describe(handle, h));
    }

    private long add(Handle h) {
        long id = nextHandle++;
        open.put(id, h);
        return id;
    }

    private <T extends Handle> T get(long handle, Class<T> kind, String call) throws EventLogException {
        Handle h = open.get(handle);
        if (!kind.isInstance(h)) {
            misuse.add(call + " on " + describe(handle, h) + ", not a " + kind.getSimpleName());
            throw new EventLogException(call, 6); // ERROR_INVALID_HANDLE
        }
        return kind.cast(h);
    }

    private static String describe(long handle, Handle h) {
        return h == null ? "handle " + handle + " (closed or never opened)" : h.getClass().getSimpleName() + " " + handle;
    }
}
