package io.gnetj.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A connection's place in its engine: one unit of {@link io.gnetj.Options#maxConnections()}, one
 * unit of its loop's load (what least-connections balancing counts), and its entry in the loop's
 * connection table. Reserved together when a connection is accepted, dialed or enrolled, and
 * released together, at most once, when it is gone, whichever way it goes: refused by a loop that
 * is stopping, failed before registration, closed.
 *
 * <pre>
 *   reserve (acceptor / dialer) ─► [task queue] ─► loop: table add ─► ... ─► release: table remove,
 *                                        └─ loop ended: abort ─► release        load - 1, engine - 1
 * </pre>
 *
 * <p>Threading: reserved on the accepting or dialing thread and handed to the loop through its
 * task queue (which publishes it). The table entry is added and removed on the loop thread only.
 * {@link #release()} may run on the loop thread or, for a slot whose task was aborted because the
 * loop had ended, on the aborting thread; a CAS makes a second release a no-op, so the counts can
 * never be given back twice.
 */
final class ConnSlot {

    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(ConnSlot.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EngineCore engine;
    private final EventLoop loop;
    /** The connection this slot holds a table entry for; loop thread. */
    AbstractConn conn;
    /** Index in the loop's table, or -1 when not in it; loop thread. */
    int tableIndex = -1;
    @SuppressWarnings("unused") // accessed through RELEASED
    private volatile boolean released;

    private ConnSlot(EngineCore engine, EventLoop loop) {
        this.engine = engine;
        this.loop = loop;
    }

    /**
     * Reserves a slot on {@code loop}, or returns {@code null} if the engine already holds
     * {@code maxConnections}.
     */
    static ConnSlot reserve(EngineCore engine, EventLoop loop) {
        if (!engine.tryAcquireConnection()) {
            return null;
        }
        loop.load().incrementAndGet();
        return new ConnSlot(engine, loop);
    }

    /** The loop the slot is on. */
    EventLoop loop() {
        return loop;
    }

    /** Whether the slot was given back. */
    boolean isReleased() {
        return released;
    }

    /**
     * Gives everything back: the table entry (on the loop thread), the loop's load and the
     * engine's count. Idempotent. A connection that was in the table counts as closed locally.
     *
     * @return {@code true} for the call that released it
     */
    boolean release() {
        return release(null, null);
    }

    /**
     * As {@link #release()}, for a stream connection's teardown: counts the close by its
     * {@code cause} (what {@code onClose} is told) and, for a close without one, by who began it
     * ({@code closing}, or {@code null} if it never closed gracefully).
     *
     * @return {@code true} for the call that released it
     */
    boolean release(Throwable cause, GracefulClose closing) {
        if (!RELEASED.compareAndSet(this, false, true)) {
            return false;
        }
        if (tableIndex >= 0) {
            loop.removeFromTable(this);
            String kind = loop.counters().closed(cause, closing != null && closing.byPeer());
            Jfr.connectionClosed(conn, kind, cause);
        }
        loop.load().decrementAndGet();
        engine.releaseConnection();
        return true;
    }
}
