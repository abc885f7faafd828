package io.gnetj;

import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One of an engine's (or a client's) event loops: a thread with its own selector that serves a
 * share of the connections, as gnet's {@code EventLoop}. {@link Conn#eventLoop()} gives a
 * connection's loop, {@link Engine#eventLoops()} and {@link Client#eventLoops()} all of them.
 *
 * <p>What it is for: work that must run where a connection lives, without locks (a task or a
 * timer touching connections of this loop runs on the same thread as their callbacks, so it may
 * call their loop-thread methods), and connections that should live together: a proxy dials its
 * upstream connection on its client's loop ({@link #dial}), so bytes pass from one to the other
 * with a plain {@link Conn#write}, no thread hop and no copy into a task.
 *
 * <p>Threading: every method may be called from any thread. Tasks and timers run on the loop
 * thread, one at a time, between the loop's I/O; like a callback, a task must not block.
 */
public interface EventLoop extends Executor {

    /** This loop's index among its engine's loops: 0 to {@code numEventLoops - 1}. Any thread. */
    int index();

    /** Whether the calling thread is this loop's. Any thread. */
    boolean inEventLoop();

    /** Connections this loop serves now. Any thread (from others a racy figure). */
    int countConnections();

    /**
     * Runs {@code task} on the loop thread soon; tasks posted by one thread run in the order
     * posted. Any thread; posted from the loop thread itself it runs later, never inline. What
     * a task throws is logged, and the loop carries on. A task posted while the loop is ending
     * may not run (the loop logs each one it drops).
     *
     * @throws RejectedExecutionException if the loop has ended
     * @throws NullPointerException       if {@code task} is null
     */
    @Override
    void execute(Runnable task);

    /**
     * Runs {@code task} on the loop thread once {@code delay} has passed (zero or negative: as soon
     * as possible), at the loop's resolution of a millisecond. Any thread. No thread per timer: the
     * loop keeps its timers in order and sleeps until the next is due. Timers still pending when
     * the loop ends do not run.
     *
     * @return a handle that cancels it
     * @throws RejectedExecutionException if the loop has ended
     */
    Scheduled schedule(Runnable task, Duration delay);

    /**
     * Dials {@code address} (the engine's address schemes) and serves the connection on this loop,
     * with the engine's handler and options: its {@code onOpen} runs here with {@code context}
     * already attached. Any thread. The future completes on this loop's thread once
     * {@code onOpen} ran, or exceptionally: with a {@link java.net.ConnectException} naming the
     * address, a {@link javax.net.ssl.SSLHandshakeException} for a failed {@code tls://} handshake,
     * or an {@link IllegalStateException} if the engine is stopped (a future that failed before
     * the dial reached the loop is returned already completed). The connection counts towards
     * {@link Options#maxConnections()}.
     *
     * @throws IllegalArgumentException if the address is malformed
     */
    CompletableFuture<Conn> dial(String address, Object context);

    /**
     * Adopts an already connected {@code channel} (made non-blocking here) and serves it on this
     * loop, as {@link #dial}. Any thread. The channel is gnetj's from then on: it closes it with
     * the connection. A channel that is not connected fails the future with an
     * {@link IllegalArgumentException}.
     */
    CompletableFuture<Conn> enroll(SocketChannel channel, Object context);

    /**
     * A pending {@link #schedule} timer.
     *
     * <p>Threading: any thread.
     */
    interface Scheduled {
        /**
         * Cancels the timer. Any thread.
         *
         * @return {@code true} if it will not run because of this call; {@code false} if it ran,
         *         is running, or was cancelled before
         */
        boolean cancel();
    }
}
