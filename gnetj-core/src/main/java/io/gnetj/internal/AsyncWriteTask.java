package io.gnetj.internal;

import io.gnetj.Callback;
import java.nio.ByteBuffer;

/**
 * An {@code asyncWrite}/{@code asyncWritev} in flight from another thread to a connection's loop.
 *
 * <p>Threading: created by the poster, run or aborted once as {@link LoopTask} says.
 */
final class AsyncWriteTask extends LoopTask {
    private final TcpConn conn;
    private final ByteBuffer single;
    private final ByteBuffer[] many;
    private final Callback callback;

    AsyncWriteTask(TcpConn conn, ByteBuffer single, ByteBuffer[] many, Callback callback) {
        this.conn = conn;
        this.single = single;
        this.many = many;
        this.callback = callback;
    }

    @Override
    void run() {
        try {
            conn.writeFromTask(single, many, callback);
        } catch (RuntimeException | Error e) {
            // Out of direct memory while queueing, say. writeFromTask runs the callback only as its
            // last step, and complete() never throws, so the callback has not run yet: run it once.
            conn.failed(e);
            conn.complete(callback, e);
        }
    }

    @Override
    void abort(Throwable cause) {
        conn.complete(callback, cause);
    }
}
