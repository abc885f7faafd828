package io.gnetj.examples.websocket;

import io.gnetj.Conn;
import io.gnetj.codec.websocket.CloseCodes;
import io.gnetj.codec.websocket.Opcodes;
import io.gnetj.codec.websocket.WebSocketFrameEncoder;
import io.gnetj.codec.websocket.WebSocketListener;
import io.gnetj.codec.websocket.WebSocketSession;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code /chat}: every message a member sends goes to every member, the sender too.
 *
 * <h2>Backpressure</h2>
 * A message is encoded once into one frame ({@link WebSocketFrameEncoder#encode}, uncompressed so
 * every member can read it) and handed to each member's {@link Conn#asyncWrite}, which never
 * moves the buffer's position: members on other loops read the same bytes. A member's lag is
 * what its connection has queued ({@link Conn#outboundBuffered()}, racy but safe from any thread)
 * plus what was handed to {@code asyncWrite} and not yet queued by the member's loop (counted up
 * at the hand-off, down in the write's callback): without the second part, a sender's loop could
 * hand off faster than the member's loop queues, unseen. A member whose lag passes
 * {@code maxLag} is a slow reader and is dropped (aborted, its queue freed) instead of being sent
 * more, so it never holds much more than {@code maxLag} plus one message, however long it stops
 * reading; the room keeps the highest lag it saw, so a test can check that bound.
 *
 * <p>Threading: any loop thread calls in at once; the member set is concurrent, the counters are
 * updated under the room's monitor (once per message or drop, not per byte).
 */
final class ChatRoom implements WebSocketListener {

    private final long maxLag;
    private final Set<WebSocketSession> members = ConcurrentHashMap.newKeySet();
    private long dropped;
    private long peakQueued;

    ChatRoom(long maxLag) {
        this.maxLag = maxLag;
    }

    /** Bytes handed to a member's {@code asyncWrite} and not yet queued by its loop. */
    private static final class InFlight extends AtomicLong {
        private static final long serialVersionUID = 1L;
    }

    @Override
    public void onOpen(WebSocketSession session) {
        session.attach(new InFlight());
        members.add(session);
    }

    @Override
    public void onMessage(WebSocketSession sender, ByteBuffer payload, boolean text) {
        ByteBuffer frame = WebSocketFrameEncoder.encode(text ? Opcodes.TEXT : Opcodes.BINARY, payload);
        int size = frame.remaining();
        long peak = 0;
        for (WebSocketSession member : members) {
            Conn conn = member.conn();
            InFlight inFlight = (InFlight) member.attachment();
            long lag = conn.outboundBuffered() + inFlight.get();
            peak = Math.max(peak, lag);
            if (lag > maxLag) {
                drop(member);
            } else {
                inFlight.addAndGet(size);
                conn.asyncWrite(frame, (c, error) -> inFlight.addAndGet(-size));
            }
        }
        synchronized (this) {
            peakQueued = Math.max(peakQueued, peak);
        }
    }

    private void drop(WebSocketSession member) {
        if (!members.remove(member)) {
            return;
        }
        // a reader this far behind would not read a Close frame either: cut the connection
        member.conn().abort(new IllegalStateException("chat member dropped: more than " + maxLag
                + " bytes queued (close code " + CloseCodes.POLICY_VIOLATION + ")"));
        synchronized (this) {
            dropped++;
            notifyAll();
        }
    }

    @Override
    public void onClose(WebSocketSession session, int code, String reason) {
        members.remove(session);
    }

    /** Members now. Any thread. */
    int size() {
        return members.size();
    }

    /** Slow readers dropped so far. Any thread. */
    synchronized long dropped() {
        return dropped;
    }

    /** The most bytes seen queued for one member when a message was broadcast. Any thread. */
    synchronized long peakQueued() {
        return peakQueued;
    }

    /** The lag past which a member is dropped. Any thread. */
    long maxLag() {
        return maxLag;
    }

    /**
     * Waits until at least {@code count} members were dropped, at most {@code millis}. Any thread.
     *
     * @return whether they were
     */
    synchronized boolean awaitDropped(long count, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (dropped < count) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
