package io.gnetj;

import java.net.SocketAddress;
import java.util.List;

/**
 * A running server: its listeners, main reactor and event loops.
 *
 * <p>Threading: every method is safe from any thread.
 */
public interface Engine {

    /** Open connections right now, across every loop. */
    int countConnections();

    /**
     * The addresses actually bound, in the order given (a port given as 0 shows the port the
     * system chose). With {@link Options#reusePort()} each address appears once even though every
     * loop has its own listener.
     */
    List<SocketAddress> addresses();

    /**
     * The engine's event loops, in index order: to run a task or a timer on one, or to dial a
     * connection onto one ({@link EventLoop}). The list is fixed for the engine's life.
     */
    List<EventLoop> eventLoops();

    /** The options the engine runs with. */
    Options options();

    /** {@code true} until the engine has fully stopped. */
    boolean isRunning();

    /**
     * Stops the engine: stops accepting, closes every connection (each gets {@code onClose}), ends
     * every loop, runs {@code onShutdown} once, and returns once every engine thread has ended.
     * Idempotent. Called from one of the engine's own threads (a handler), it starts the stop and
     * returns at once, since a thread cannot wait for itself.
     */
    void stop();

    /**
     * Waits until the engine has fully stopped (by {@link #stop()}, {@link Action#SHUTDOWN} or a
     * {@link Tick#shutdown()}).
     *
     * @throws InterruptedException if interrupted while waiting
     */
    void awaitTermination() throws InterruptedException;
}
