package io.gnetj;

/**
 * Receives an engine's (or client's) events. Every method has a default that does nothing, so a
 * handler overrides only what it needs.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #onBoot} runs once, on the thread that starts the engine, before the first accept.
 *   <li>{@link #onOpen}, {@link #onTraffic} and {@link #onClose} of one connection run on that
 *       connection's event loop thread, never concurrently; handlers of connections on different
 *       loops run in parallel, so state shared between connections needs thread-safety (or one
 *       shard per loop).
 *   <li>{@link #onTick} runs on the engine's main (acceptor) thread, never on an event loop.
 *   <li>{@link #onShutdown} runs once, on the engine's main thread, after every event loop has
 *       ended.
 * </ul>
 * A callback must not block: every connection of its loop waits while it runs. Hand blocking work
 * to a worker pool and answer with {@link Conn#asyncWrite}.
 *
 * <h2>Errors</h2>
 * An exception thrown from {@code onOpen} or {@code onTraffic} closes that connection, with the
 * exception as the cause passed to {@code onClose}, and is logged; the loop carries on.
 */
public interface EventHandler {

    /**
     * The engine is bound and its loops are running; connections are not yet accepted. Runs once,
     * on the thread that starts the engine (the caller of {@code Gnet.start}, {@code Gnet.run} or
     * {@link Client#start}), before that call returns.
     *
     * @return {@link Action#SHUTDOWN} to stop at once, anything else to carry on
     */
    default Action onBoot(Engine engine) {
        return Action.NONE;
    }

    /**
     * The engine has stopped: every connection is closed and every loop has ended. Runs once, on
     * the engine's main thread, before {@link Engine#awaitTermination()} returns.
     */
    default void onShutdown(Engine engine) {
    }

    /**
     * A connection was accepted (or dialed) and registered with its loop. Runs on the
     * connection's loop thread. Writes made here are sent after the callback returns. Not called
     * for a UDP server's per-datagram connections.
     *
     * @return {@link Action#CLOSE} to close it, {@link Action#SHUTDOWN} to stop the engine
     */
    default Action onOpen(Conn conn) {
        return Action.NONE;
    }

    /**
     * A connection closed: by either side, by a limit, or by an error. Runs exactly once per
     * {@link #onOpen}. Runs on the connection's loop thread, never nested in one of this
     * connection's own callbacks; but a {@link Conn#close()} or {@link Conn#abort} of it made on
     * the loop elsewhere (another connection's callback, a task) may run it before that call
     * returns. The connection's context and addresses are still readable; reads and writes are
     * not.
     *
     * @param cause {@code null} for an orderly close (either side), else why it closed: an
     *              {@link java.io.IOException} from the socket, a limit's exception
     *              ({@link IdleTimeoutException}, {@link InboundLimitException},
     *              {@link OutboundLimitException}), or what a handler threw
     * @return {@link Action#SHUTDOWN} to stop the engine; anything else is ignored
     */
    default Action onClose(Conn conn, Throwable cause) {
        return Action.NONE;
    }

    /**
     * New bytes arrived on {@code conn} (or {@link Conn#wake} was called). Runs on the
     * connection's loop thread. Read them with
     * {@link Conn#next}, {@link Conn#peek}/{@link Conn#discard} or {@link Conn#read}; what is not
     * consumed stays buffered for the next call. This method is not called again for bytes already
     * buffered, so decode every complete frame before returning. Views from {@code next} and
     * {@code peek} are valid until this returns (or the next read call); copy what must outlive
     * them. Writes made here are gathered and sent once the callback returns.
     *
     * <p>One exception: a handler whose answers are large (a pipeline of reads of big values) may
     * stop decoding once {@link Conn#outboundBuffered()} reaches
     * {@link Options#writeBufferHighWaterMark()}. Reading from the connection is then paused, and
     * once the queued bytes drain below {@link Options#writeBufferLowWaterMark()} this method is
     * called again (with no new bytes) for what it left buffered. Memory then stays near the
     * water mark per connection, even for a peer that sends requests and never reads.
     *
     * @return {@link Action#CLOSE} to close the connection (after flushing its writes),
     *         {@link Action#SHUTDOWN} to stop the engine
     */
    default Action onTraffic(Conn conn) {
        return Action.NONE;
    }

    /**
     * {@code conn}'s queued outbound bytes reached {@link Options#writeBufferHighWaterMark()}
     * ({@code writable} false: reading from it is paused) or drained to
     * {@link Options#writeBufferLowWaterMark()} ({@code writable} true). As Netty's
     * {@code channelWritabilityChanged}: a relay pauses reading its other side while this side is
     * not writable ({@link Conn#pauseReading()}), and resumes it after. Runs on the connection's
     * loop thread, after the change (never nested in another callback of the connection), and only
     * while the connection is open; consecutive reports always alternate.
     *
     * @return {@link Action#CLOSE} to close the connection, {@link Action#SHUTDOWN} to stop the engine
     */
    default Action onWritabilityChanged(Conn conn, boolean writable) {
        return Action.NONE;
    }

    /**
     * The peer shut down its output (TCP FIN): no more bytes will come. Only with
     * {@link Options#halfClose()} on, for plaintext TCP and unix connections; otherwise the end of
     * input closes the connection. Bytes that came before it were handed to {@code onTraffic}
     * first (what the handler left unconsumed stays readable). Runs on the connection's loop
     * thread.
     * <ul>
     *   <li>{@link Action#CLOSE} (the default) closes the connection gracefully.
     *   <li>{@link Action#NONE} keeps it open for writing; the handler ends its side later with
     *       {@link Conn#shutdownOutput()} (the connection then closes, {@code onClose} with no
     *       cause, once its queued bytes are sent) or {@link Conn#close()}.
     * </ul>
     *
     * @return {@link Action#CLOSE} to close, {@link Action#NONE} to keep writing,
     *         {@link Action#SHUTDOWN} to stop the engine
     */
    default Action onInputClosed(Conn conn) {
        return Action.CLOSE;
    }

    /**
     * A stream connection has been quiet for one of the idle timeouts
     * ({@link Options#idleTimeout()}, {@link Options#readIdleTimeout()},
     * {@link Options#writeIdleTimeout()}; as Netty's {@code IdleStateHandler}). Runs on the
     * connection's loop thread. The handler may write (a last line before closing, or a ping) and
     * then:
     * <ul>
     *   <li>return {@link Action#CLOSE} (the default) to close gracefully: what it wrote is sent
     *       first, and {@code onClose} gets an {@link IdleTimeoutException};
     *   <li>return {@link Action#NONE} to keep the connection: the timeout of this kind starts
     *       over, so it is called again after another full timeout of quiet.
     * </ul>
     * Not called for UDP.
     *
     * @return {@link Action#CLOSE} to close it, {@link Action#NONE} to keep it,
     *         {@link Action#SHUTDOWN} to stop the engine (and keep it until then)
     */
    default Action onIdle(Conn conn, IdleState state) {
        return Action.CLOSE;
    }

    /**
     * The ticker fired (only with {@link Options#ticker()} on). Runs on the engine's main thread,
     * never on an event loop, so it may not call a connection's loop-thread methods (post to
     * {@link Conn#eventLoop()} instead). The first tick comes right after boot.
     *
     * @return when to tick next, and {@link Action#SHUTDOWN} to stop the engine
     */
    default Tick onTick() {
        return Tick.after(java.time.Duration.ofSeconds(1));
    }
}
