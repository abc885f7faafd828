package io.gnetj.internal;

import io.gnetj.Callback;
import io.gnetj.buffer.PooledBuffer;
import java.nio.ByteBuffer;

/**
 * An {@code asyncWrite}/{@code asyncWritev} in flight from another thread to a connection's loop:
 * the bytes as captured at the call (a duplicate of the caller's buffer, or a pooled copy of a
 * read-only one; see {@link AnyThreadOps}), and the callback.
 *
 * <p>Threading: created by the poster; run on the loop, or aborted once the loop has ended, as
 * {@link LoopTask} says. A pooled copy is given back either way: through the loop's cache when
 * run, through the pool (any thread) when aborted.
 */
final class AsyncWriteTask extends LoopTask {
    private final StreamConn conn;
    private final ByteBuffer single;
    private final ByteBuffer[] many;
    private final PooledBuffer copy;
    private final Callback callback;

    AsyncWriteTask(StreamConn conn, ByteBuffer single, ByteBuffer[] many, PooledBuffer copy, Callback callback) {
        this.conn = conn;
        this.single = single;
        this.many = many;
        this.copy = copy;
        this.callback = callback;
    }

    @Override
    void run() {
        Throwable error;
        try {
            error = conn.queueAsync(single, many);
        } catch (RuntimeException | Error e) {
            // Out of direct memory while queueing, say: the connection closes with it, and the
            // callback, which has not run yet, runs once with it.
            conn.failed(e);
            error = e;
        } finally {
            if (copy != null) {
                conn.loop.buffers().cache().release(copy);
            }
        }
        conn.complete(callback, error);
    }

    @Override
    void abort(Throwable cause) {
        if (copy != null) {
            copy.pool().release(copy);
        }
        conn.complete(callback, cause);
    }
}
