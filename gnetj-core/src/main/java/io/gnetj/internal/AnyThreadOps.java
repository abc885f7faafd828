package io.gnetj.internal;

import io.gnetj.Callback;
import io.gnetj.buffer.PooledBuffer;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The operations on a stream connection that any thread may call: {@code asyncWrite},
 * {@code asyncWritev}, {@code wake}, {@code close} and {@code abort}. Each captures on the calling
 * thread what it needs and posts a {@link LoopTask}; the connection acts when the task runs.
 *
 * <h2>What asyncWrite takes from the caller</h2>
 * The bytes between the buffer's position and limit at the moment of the call. The caller's
 * buffer itself is never modified (its position stays where it was), so one buffer may go to many
 * connections at once (a broadcast), each sending all of it. Then:
 * <ul>
 *   <li>A <b>read-only</b> buffer is copied at the call, into pooled memory of the connection's
 *       pool. Every view gnetj lends a handler ({@code next}, {@code peek}, on every connection
 *       kind) is read-only, and its memory is reused once the callback returns: a relay that
 *       passes {@code conn.next(-1)} (or a duplicate or slice of it) to another connection's
 *       {@code asyncWrite} thus sends the right bytes instead of whatever later lands there.
 *   <li>A writable buffer is not copied: the task reads it on the loop, so its bytes must not be
 *       changed until the callback runs.
 * </ul>
 * On the connection's own loop thread the bytes are queued at once instead (program order with
 * {@code write} is kept, and nothing is copied but into the outbound buffer); the callback still
 * runs later, as a task, never nested in the caller's callback.
 *
 * <p>Stateless (a connection carries no object for it: idle connections stay small); the one
 * piece of state, the connection's shared {@link WakeTask}, lives in the connection.
 *
 * <p>Threading: any thread. {@link #wake} reuses one {@link WakeTask} per connection, claimed
 * with a CAS.
 */
final class AnyThreadOps {

    private AnyThreadOps() {
    }

    static void asyncWrite(StreamConn conn, ByteBuffer src, Callback callback) {
        Objects.requireNonNull(src, "src");
        EventLoop loop = conn.loop;
        if (loop.inLoop()) {
            Throwable error = conn.queueAsync(src.duplicate(), null);
            conn.completeLater(callback, error);
            return;
        }
        PooledBuffer copy = src.isReadOnly() && src.hasRemaining() ? copyOf(conn, src) : null;
        ByteBuffer bytes = copy != null ? copy.buffer() : src.duplicate();
        loop.execute(new AsyncWriteTask(conn, bytes, null, copy, callback));
    }

    static void asyncWritev(StreamConn conn, ByteBuffer[] srcs, Callback callback) {
        Objects.requireNonNull(srcs, "srcs");
        ByteBuffer[] views = new ByteBuffer[srcs.length];
        boolean readOnly = false;
        long total = 0;
        // Checked here, not on the loop: a null found there would fail the task half-way.
        for (int i = 0; i < srcs.length; i++) {
            ByteBuffer src = Objects.requireNonNull(srcs[i], "srcs[" + i + "]");
            views[i] = src.duplicate();
            readOnly |= src.isReadOnly();
            total += src.remaining();
        }
        EventLoop loop = conn.loop;
        if (loop.inLoop()) {
            conn.completeLater(callback, conn.queueAsync(null, views));
            return;
        }
        if (readOnly && total > 0) {
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("asyncWritev of " + total + " bytes: more than one call can take");
            }
            PooledBuffer copy = take(conn, (int) total);
            ByteBuffer dst = copy.buffer();
            for (ByteBuffer view : views) {
                dst.put(view);
            }
            dst.flip();
            loop.execute(new AsyncWriteTask(conn, dst, null, copy, callback));
            return;
        }
        loop.execute(new AsyncWriteTask(conn, null, views, null, callback));
    }

    /** A copy of {@code src}'s remaining bytes in pooled memory (its position untouched). */
    private static PooledBuffer copyOf(StreamConn conn, ByteBuffer src) {
        int len = src.remaining();
        PooledBuffer copy = take(conn, len);
        copy.buffer().put(0, src, src.position(), len).limit(len);
        return copy;
    }

    private static PooledBuffer take(StreamConn conn, int len) {
        // The pool, not the loop's cache: this runs on the caller's thread.
        return conn.loop.buffers().cache().pool().take(len);
    }

    static void wake(StreamConn conn, Callback callback) {
        WakeTask shared = conn.sharedWakeTask();
        conn.loop.execute(shared.claim(callback) ? shared : new WakeTask(conn, callback));
    }

    /**
     * Inside the connection's own callback the close is recorded and starts when the callback
     * returns. Anywhere else, the loop thread included (another connection's callback, a task),
     * it is posted: {@code onClose} and the callback then never run nested in the caller, who may
     * be iterating the very set its {@code onClose} removes the connection from.
     */
    static void close(StreamConn conn, Callback callback) {
        if (conn.loop.inLoop() && conn.inCallback()) {
            conn.closeOnLoop(callback);
            return;
        }
        conn.loop.execute(new LoopTask() {
            @Override
            void run() {
                conn.closeOnLoop(callback);
            }

            @Override
            void abort(Throwable cause) {
                conn.complete(callback, null); // the loop ended, and closed every connection as it did
            }
        });
    }

    /** As {@link #close}: at once only inside the connection's own callback (acted on when it returns). */
    static void abort(StreamConn conn, Throwable cause) {
        if (conn.loop.inLoop() && conn.inCallback()) {
            conn.abortOnLoop(cause);
            return;
        }
        conn.loop.execute(new LoopTask() {
            @Override
            void run() {
                conn.abortOnLoop(cause);
            }

            @Override
            void abort(Throwable ignored) {
                // The loop ended, and closed every connection as it did.
            }
        });
    }

    static void pauseReading(StreamConn conn, boolean pause) {
        if (conn.loop.inLoop()) {
            conn.userPause(pause);
            return;
        }
        conn.loop.execute(new LoopTask() {
            @Override
            void run() {
                conn.userPause(pause);
            }

            @Override
            void abort(Throwable cause) {
                // The loop ended, and closed every connection as it did.
            }
        });
    }
}
