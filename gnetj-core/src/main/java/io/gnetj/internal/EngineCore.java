package io.gnetj.internal;

import io.gnetj.EventHandler;
import io.gnetj.Options;
import java.util.concurrent.Executor;

/**
 * What an {@link EventLoop} needs from the engine (server or client) that owns it.
 *
 * <p>Threading: every method is safe from any engine thread.
 */
interface EngineCore {

    /** The user's handler. */
    EventHandler handler();

    /** The engine's options. */
    Options options();

    /** The provider of every selector and socket of this engine: its transport. */
    java.nio.channels.spi.SelectorProvider provider();

    /**
     * Reserves room for one more connection under {@link Options#maxConnections()}.
     *
     * @return {@code false} if the engine is full (the caller must refuse the connection)
     */
    boolean tryAcquireConnection();

    /** Gives back what {@link #tryAcquireConnection()} reserved, once the connection is gone. */
    void releaseConnection();

    /**
     * Where TLS delegated tasks run: the config's executor, or the engine's own small pool
     * (started on first use, stopped with the engine).
     */
    Executor tlsTaskExecutor();

    /** Dials {@code address} onto {@code loop} (see {@link io.gnetj.EventLoop#dial}). Any thread. */
    java.util.concurrent.CompletableFuture<io.gnetj.Conn> dial(String address, Object context, EventLoop loop);

    /** Adopts a connected channel onto {@code loop} (see {@link io.gnetj.EventLoop#enroll}). Any thread. */
    java.util.concurrent.CompletableFuture<io.gnetj.Conn> enroll(java.nio.channels.SocketChannel channel, Object context,
                                                                  EventLoop loop);

    /** Starts stopping the engine (a handler returned {@link io.gnetj.Action#SHUTDOWN}); returns at once. */
    void requestStop();
}
