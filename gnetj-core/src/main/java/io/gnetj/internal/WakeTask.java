package io.gnetj.internal;

import io.gnetj.Callback;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@code wake} on its way to a connection's loop.
 *
 * <p>Each connection keeps one shared instance, made by its first wake, that any thread may
 * {@link #claim} while no wake is pending: the common case (a worker waking its connection, waiting
 * for the callback, waking it again) then posts the same object every time and allocates nothing.
 * A wake that finds the shared one pending gets a one-off instance instead, so every wake still
 * runs {@code onTraffic} once and its callback once; wakes are never merged.
 *
 * <pre>
 *   poster:  claim (CAS pending 0 → 1) ─ ok ──► callback = cb ─► loop.execute(shared)
 *                                      └ busy ─► loop.execute(new WakeTask(conn, cb))
 *   loop:    run: cb = callback, callback = null, pending = 0 (release) ─► conn.runWake(cb)
 * </pre>
 *
 * <p>Threading: {@link #claim} from any thread; the loop's task queue publishes the callback field
 * written after a successful claim (the queue's offer and poll order it), and {@link #run} or
 * {@link #abort} hands the instance back by clearing {@code pending} only after reading it.
 */
final class WakeTask extends LoopTask {

    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(WakeTask.class, "pending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a wake does when it arrives, or fails to: implemented by the connection. */
    interface Target {
        /** On the loop: {@code onTraffic} as if bytes had arrived, then {@code callback}. */
        void runWake(Callback callback);

        /** The loop ended before the wake could run: {@code callback} learns {@code cause}. */
        void wakeFailed(Callback callback, Throwable cause);
    }

    private final Target conn;
    private final boolean shared;
    /** Written by the poster before posting; read and cleared on the loop (or by the aborter). */
    private Callback callback;
    @SuppressWarnings("unused") // accessed through PENDING
    private volatile int pending;

    /** The connection's shared instance, free until claimed. */
    WakeTask(Target conn) {
        this.conn = conn;
        this.shared = true;
    }

    /** A one-off instance for a wake that found the shared one pending. */
    WakeTask(Target conn, Callback callback) {
        this.conn = conn;
        this.shared = false;
        this.callback = callback;
    }

    /** Takes the shared instance for one wake carrying {@code callback}; false if one is pending. */
    boolean claim(Callback callback) {
        if (!PENDING.compareAndSet(this, 0, 1)) {
            return false;
        }
        this.callback = callback;
        return true;
    }

    @Override
    void run() {
        conn.runWake(takeCallback());
    }

    @Override
    void abort(Throwable cause) {
        conn.wakeFailed(takeCallback(), cause);
    }

    private Callback takeCallback() {
        Callback cb = callback;
        callback = null;
        if (shared) {
            PENDING.setRelease(this, 0);
        }
        return cb;
    }
}
