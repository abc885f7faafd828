package io.gnetj.examples.client;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;

/**
 * The client side of a ping-pong against an echo server: each connection sends one message of
 * {@code size} bytes, waits until the echo has come back in full and matches byte for byte, then
 * sends the next, {@code count} times. Everything happens on the connection's loop: the first
 * message goes out in {@code onOpen}, each next one from {@code onTraffic}. What the main thread
 * needs to know (each round trip, a connection finished, something went wrong) goes to it through
 * a queue, so the loop never blocks on printing.
 *
 * <p>Streams (TCP, Unix) may return an echo in any number of pieces; over UDP each echo must be
 * one datagram of exactly {@code size} bytes.
 *
 * <p>Message {@code m} of connection {@code c} holds bytes {@code (c * 131 + m * 31 + i) & 0xFF}:
 * an echo that is short, shifted, or belongs to another message does not match.
 *
 * <p>Threading: each {@link Session} belongs to its connection's loop; the queue is the only state
 * shared with the main thread.
 */
final class PingPongHandler implements EventHandler {

    /** What the main thread is told. */
    sealed interface Event permits RoundTrip, Finished, Failed {
    }

    /** Message {@code message} (from 1) of connection {@code connection} (from 1) came back after {@code nanos}. */
    record RoundTrip(int connection, int message, long nanos) implements Event {
    }

    /** Every message of {@code connection} came back. */
    record Finished(int connection) implements Event {
    }

    /** The run cannot succeed; {@code message} says why, naming the connection and address. */
    record Failed(String message) implements Event {
    }

    /** One connection's progress; attached as its context when dialed. */
    static final class Session {
        final int id;
        final byte[] payload;
        /** Messages sent so far; the one in flight is number {@code sent}. */
        int sent;
        /** Bytes of the current echo received so far. */
        int received;
        long sentAtNanos;
        boolean finished;

        Session(int id, int size) {
            this.id = id;
            this.payload = new byte[size];
        }
    }

    private final String address;
    private final boolean datagrams;
    private final int count;
    private final BlockingQueue<Event> events;

    PingPongHandler(String address, boolean datagrams, int count, BlockingQueue<Event> events) {
        this.address = address;
        this.datagrams = datagrams;
        this.count = count;
        this.events = events;
    }

    @Override
    public Action onOpen(Conn conn) {
        sendNext(conn, conn.context());
        return Action.NONE;
    }

    @Override
    public Action onTraffic(Conn conn) {
        Session s = conn.context();
        ByteBuffer in = conn.next(-1);
        if (datagrams && in.remaining() != s.payload.length) {
            return fail(s, "a reply datagram of " + in.remaining() + " bytes, expected " + s.payload.length);
        }
        while (in.hasRemaining()) {
            if (s.finished) {
                return fail(s, in.remaining() + " unexpected bytes after the last reply");
            }
            int n = Math.min(in.remaining(), s.payload.length - s.received);
            int at = in.position();
            for (int i = 0; i < n; i++) {
                byte got = in.get(at + i);
                byte want = s.payload[s.received + i];
                if (got != want) {
                    return fail(s, String.format("the reply to message %d differs at byte %d: expected 0x%02x, got 0x%02x",
                            s.sent, s.received + i, want & 0xFF, got & 0xFF));
                }
            }
            in.position(at + n);
            s.received += n;
            if (s.received == s.payload.length) {
                events.add(new RoundTrip(s.id, s.sent, System.nanoTime() - s.sentAtNanos));
                sendNext(conn, s);
            }
        }
        return Action.NONE;
    }

    @Override
    public Action onClose(Conn conn, Throwable cause) {
        Session s = conn.context();
        if (s != null && !s.finished) {
            events.add(new Failed("connection " + s.id + " to " + address + " closed after " + (s.sent - 1) + " of "
                    + count + " replies" + (cause != null ? ": " + cause : " by the server")));
        }
        return Action.NONE;
    }

    private void sendNext(Conn conn, Session s) {
        if (s.sent == count) {
            s.finished = true;
            events.add(new Finished(s.id));
            return;
        }
        s.sent++;
        s.received = 0;
        byte[] p = s.payload;
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (s.id * 131 + s.sent * 31 + i);
        }
        s.sentAtNanos = System.nanoTime();
        conn.write(p); // copied: the array is refilled for the next message
    }

    private Action fail(Session s, String why) {
        s.finished = true; // reported here, not again by onClose
        events.add(new Failed("connection " + s.id + " to " + address + ": " + why));
        return Action.CLOSE;
    }
}
