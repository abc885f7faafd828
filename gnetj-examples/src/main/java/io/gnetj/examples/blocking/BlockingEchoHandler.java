package io.gnetj.examples.blocking;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.codec.LineFrameDecoder;
import io.gnetj.pool.WorkerPool;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/**
 * gnet's "echo with blocking logic": a line protocol where a request says whether answering it
 * blocks. Each line is echoed back, with its newline:
 * <ul>
 *   <li>{@code slow <text>} (any line whose first word is {@code slow}) is copied out of the
 *       inbound view and handed to a {@link WorkerPool}; the task sleeps for the configured
 *       delay, standing in for a database call or other blocking IO, then answers with
 *       {@link Conn#asyncWrite}. Replies to slow lines may therefore overtake each other, and
 *       later fast lines overtake them: a client matches replies by their text.
 *   <li>{@code fast <text>}, or any other line, is answered at once on the event loop.
 *   <li>When every worker is busy the pool rejects the task at once and the loop answers
 *       {@code busy <the request line>} instead: the loop never waits for a worker.
 * </ul>
 * A line over {@link #MAX_LINE} bytes closes the connection.
 *
 * <p>Threading: {@code onOpen}/{@code onTraffic} run on the loops (each connection's decoder is
 * its own); the slow answers are written from worker threads, which only use
 * {@code asyncWrite}. The pool belongs to this handler and is shut down with the engine: workers
 * still sleeping are interrupted and send nothing.
 */
public final class BlockingEchoHandler implements EventHandler {

    /** Longest request line, without its ending. */
    public static final int MAX_LINE = 4096;

    private static final byte[] SLOW = "slow".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BUSY = "busy ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEWLINE = {'\n'};

    private final WorkerPool pool;
    private final long delayMillis;

    /** Answers slow lines on {@code pool} after {@code delay}; the handler shuts the pool down on engine shutdown. */
    public BlockingEchoHandler(WorkerPool pool, Duration delay) {
        this.pool = pool;
        this.delayMillis = delay.toMillis();
    }

    @Override
    public Action onOpen(Conn conn) {
        conn.context(new LineFrameDecoder(MAX_LINE));
        return Action.NONE;
    }

    @Override
    public Action onTraffic(Conn conn) {
        LineFrameDecoder decoder = conn.context();
        for (ByteBuffer line; (line = decoder.decode(conn)) != null; ) {
            if (!isSlow(line)) {
                conn.write(line);
                conn.write(NEWLINE);
                continue;
            }
            // Copy now: the view is reused once this callback returns, long before the worker runs.
            byte[] reply = new byte[line.remaining() + 1];
            line.get(line.position(), reply, 0, line.remaining());
            reply[reply.length - 1] = '\n';
            try {
                pool.execute(() -> answerLater(conn, reply));
            } catch (RejectedExecutionException full) {
                conn.write(BUSY);
                conn.write(reply);
            }
        }
        return Action.NONE;
    }

    @Override
    public void onShutdown(Engine engine) {
        pool.shutdownNow();
    }

    /** On a worker: the blocking part, then the answer through the connection's loop. */
    private void answerLater(Conn conn, byte[] reply) {
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException shuttingDown) {
            Thread.currentThread().interrupt();
            return;
        }
        // A connection closed meanwhile fails the write; there is no one left to answer.
        conn.asyncWrite(ByteBuffer.wrap(reply), null);
    }

    /** Whether the line's first word is {@code slow}. */
    private static boolean isSlow(ByteBuffer line) {
        int at = line.position();
        if (line.remaining() < SLOW.length) {
            return false;
        }
        for (int i = 0; i < SLOW.length; i++) {
            if (line.get(at + i) != SLOW[i]) {
                return false;
            }
        }
        return line.remaining() == SLOW.length || line.get(at + SLOW.length) == ' ';
    }
}
