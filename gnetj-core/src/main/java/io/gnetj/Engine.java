package io.gnetj;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A running server: its listeners, main reactor and event loops.
 *
 * <p>Threading: every method may be called from any thread, with one exception:
 * {@link #stop(Duration)} and {@link #awaitTermination()} wait for the engine's own threads, so
 * they must not be called from one of them (an event loop thread, or the engine's main thread,
 * which runs {@code onTick} and {@code onShutdown}), nor from {@code onBoot}. {@link #stop()} and
 * {@link #stopAsync(Duration)} may be called anywhere.
 */
public interface Engine {

    /** Open connections right now, across every loop. Any thread (the figure may change at once). */
    int countConnections();

    /**
     * The addresses actually bound, in the order given (a port given as 0 shows the port the
     * system chose). With {@link Options#reusePort()} each address appears once even though every
     * loop has its own listener. Any thread; fixed once the engine has started.
     */
    List<SocketAddress> addresses();

    /**
     * The engine's event loops, in index order: to run a task or a timer on one, or to dial a
     * connection onto one ({@link EventLoop}). The list is fixed for the engine's life. Any
     * thread.
     */
    List<EventLoop> eventLoops();

    /**
     * {@return what the engine has done so far, per event loop and in total: connections (opened,
     * closed, by cause), bytes and syscalls, tasks, busy time, lag, stalls, limits hit, TLS
     * handshakes, and its buffer pool} Any thread, at any time, as often as wanted: the loops keep
     * their counters in plain fields and this reads them without stopping them, so a snapshot may
     * be a few events stale (see {@link LoopMetrics}); it allocates only the snapshot.
     */
    EngineMetrics metrics();

    /**
     * {@return the transport this engine runs on: {@link Transport#NIO} or {@link Transport#EPOLL},
     * never {@code AUTO} (the choice made at start)} Any thread.
     */
    Transport transport();

    /** The options the engine runs with. Any thread. */
    Options options();

    /**
     * {@code true} until the engine has fully stopped: it turns {@code false} after
     * {@code onShutdown} has run. Any thread.
     */
    boolean isRunning();

    /**
     * Stops the engine, giving connections {@link Options#closeTimeout()} to close gracefully:
     * {@code stop(options().closeTimeout())} without the report (which is logged). Stops
     * accepting, closes every connection (each gets {@code onClose}), ends every loop, runs
     * {@code onShutdown} once, and returns once the engine has stopped (a loop that a handler
     * blocks is given up 30 s past the deadline, with an error logged). Idempotent.
     *
     * <p>Any thread. From one of the engine's own threads (a handler on a loop thread, or
     * {@code onTick} and {@code onShutdown} on the engine's main thread) or from {@code onBoot},
     * it starts the stop and returns at once, since a thread cannot wait for itself. Interrupts
     * do not cut the wait short: it returns with the thread's interrupt flag set.
     */
    void stop();

    /**
     * Stops the engine within {@code deadline} and says what it had to cut.
     *
     * <ol>
     *   <li>Listeners close at once (unix socket files are removed); nothing new is accepted.
     *   <li>Every connection closes gracefully: what it has queued still goes out, then
     *       {@code onClose} runs with no cause. Each connection's own
     *       {@link Options#closeTimeout()} still bounds its close.
     *   <li>When the deadline passes (counted from this call), every connection still open is
     *       <em>cut</em>: closed at once, its queued bytes dropped, its {@code onClose} given a
     *       {@link ConnectionClosedException} saying the stop deadline cut it and how many bytes
     *       were dropped.
     *   <li>The loops end, {@code onShutdown} runs once, and this returns the {@link StopReport}.
     * </ol>
     *
     * <p>It returns shortly after the deadline at the latest: cutting is immediate, but a handler
     * that blocks a loop thread delays it (the engine waits for such a loop at most 30 s past the
     * deadline, then logs an error and goes on). A stop already under way (another
     * {@code stop}, {@link Action#SHUTDOWN}) is joined, and an earlier deadline given here is
     * honoured; a later one does not extend it. On an engine already stopped, returns the report
     * of its stop at once.
     *
     * <p>Any thread but the engine's own (its loop threads and its main thread) and the one
     * running {@code onBoot}: there it throws. Interrupts do not cut the wait short: it returns
     * with the thread's interrupt flag set.
     *
     * @param deadline how long connections may take to close gracefully; {@link Duration#ZERO}
     *                 cuts every connection at once
     * @return what the stop did
     * @throws IllegalStateException if called from one of the engine's threads (a handler, or
     *                               {@code onBoot}), which cannot wait for themselves: use
     *                               {@link #stopAsync(Duration)} there
     * @throws NullPointerException  if {@code deadline} is {@code null}
     */
    StopReport stop(Duration deadline);

    /**
     * Starts {@link #stop(Duration)} and returns at once, from any thread, a handler included.
     *
     * <p>The future completes on the engine's main thread, just after {@code onShutdown} and
     * before {@link #isRunning()} turns {@code false}. An action chained on it before then runs
     * there too: it must not block, and must not wait for the engine ({@link #awaitTermination()}
     * there throws {@link IllegalStateException}); chain it with an {@code ...Async} method to run it elsewhere.
     *
     * @param deadline how long connections may take to close gracefully
     * @return completes with the report once every connection is closed and {@code onShutdown}
     *         has run
     * @throws NullPointerException if {@code deadline} is {@code null}
     */
    CompletableFuture<StopReport> stopAsync(Duration deadline);

    /**
     * Waits until the engine has fully stopped (by {@link #stop()}, {@link #stop(Duration)},
     * {@link #stopAsync(Duration)}, {@link Action#SHUTDOWN} or a {@link Tick#shutdown()}); returns
     * at once if it has. It does not stop the engine itself.
     *
     * <p>Any thread but an engine thread (a loop, or the main thread that runs {@code onTick},
     * {@code onShutdown} and actions chained on {@link #stopAsync(Duration)}), and not from
     * {@code onBoot}: there it would wait for itself, so it throws instead.
     *
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException on an engine thread or in {@code onBoot}
     */
    void awaitTermination() throws InterruptedException;
}
