package io.gnetj.examples.push;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.ConnectionClosedException;
import io.gnetj.EventHandler;
import io.gnetj.OutboundLimitException;
import io.gnetj.Tick;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Server push: every tick, sends {@code tick N <ISO-8601 time>\n} to every connected client with
 * {@link Conn#asyncWrite} (the ticker runs on the engine's main thread, not on a connection's
 * loop). One buffer goes to every client: {@code asyncWrite} never moves the caller's buffer, so
 * each client sends all of it.
 *
 * <p>A client that stops reading is not allowed to grow memory: once its queued bytes reach the
 * engine's outbound cap, its next write is refused with {@link OutboundLimitException} and the
 * engine closes it (a stream never goes on after a hole); the handler counts such clients and
 * logs at most once a second. Whatever the client sends is discarded.
 *
 * <p>Threading: connections are tracked in a concurrent set (added and removed on loop threads,
 * iterated on the ticker thread); the tick counter belongs to the ticker thread.
 */
public final class PushHandler implements EventHandler {

    private static final System.Logger LOG = System.getLogger(PushHandler.class.getName());

    private final Set<Conn> conns = ConcurrentHashMap.newKeySet();
    private final Tick next;
    private final LongSupplier clockMillis;
    private final AtomicLong slowClients = new AtomicLong();
    private final AtomicLong lastLogMillis;
    private final Callback onWritten = this::written;
    private long tick;

    /** Pushes every {@code interval}. */
    public PushHandler(Duration interval) {
        this(interval, System::currentTimeMillis);
    }

    PushHandler(Duration interval, LongSupplier clockMillis) {
        this.next = Tick.after(interval);
        this.clockMillis = clockMillis;
        this.lastLogMillis = new AtomicLong(clockMillis.getAsLong() - 1000); // the first close is logged
    }

    @Override
    public Action onOpen(Conn conn) {
        conns.add(conn);
        return Action.NONE;
    }

    @Override
    public Action onClose(Conn conn, Throwable cause) {
        conns.remove(conn);
        return Action.NONE;
    }

    @Override
    public Action onTraffic(Conn conn) {
        conn.discard(-1);
        return Action.NONE;
    }

    @Override
    public Tick onTick() {
        tick++;
        long now = clockMillis.getAsLong();
        byte[] line = ("tick " + tick + " " + Instant.ofEpochMilli(now) + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer shared = ByteBuffer.wrap(line); // read by every client's loop, moved by none
        for (Conn conn : conns) {
            conn.asyncWrite(shared, onWritten);
        }
        return next;
    }

    /** Clients connected now. */
    public int connections() {
        return conns.size();
    }

    /** Clients closed for not reading. */
    public long slowClientsClosed() {
        return slowClients.get();
    }

    private void written(Conn conn, Throwable error) {
        if (error == null || error instanceof ConnectionClosedException) {
            return; // sent, or the client left between the tick and the write
        }
        if (error instanceof OutboundLimitException) {
            long closed = slowClients.incrementAndGet();
            long now = clockMillis.getAsLong();
            long last = lastLogMillis.get();
            if (now - last >= 1000 && lastLogMillis.compareAndSet(last, now)) {
                LOG.log(Level.WARNING, "closing {0}: not reading, outbound limit reached ({1} slow clients closed so far)",
                        conn.remoteAddress(), closed);
            }
            return; // the refused write closed it
        }
        LOG.log(Level.WARNING, "push to " + conn.remoteAddress() + " failed", error);
        conn.close();
    }
}
