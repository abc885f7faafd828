package io.gnetj;

import io.gnetj.internal.ServerEngine;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Outbound connections driven by the same kind of event loops and the same {@link EventHandler}
 * as a server: gnet's client.
 *
 * <pre>{@code
 * Client client = Client.start(handler, Options.builder().numEventLoops(2).build());
 * Conn conn = client.dial("tcp://127.0.0.1:9000");     // onOpen has run
 * conn.asyncWrite(ByteBuffer.wrap(request), null);      // replies arrive in handler.onTraffic
 * ...
 * client.stop();                                        // closes every connection (onClose each)
 * }</pre>
 *
 * <p>Dials never block a loop: the connect completes on a loop ({@code OP_CONNECT}). Addresses use
 * the server schemes: {@code tcp}, {@code tcp4}, {@code tcp6}, {@code udp}, {@code udp4},
 * {@code udp6} (a connected UDP socket, with {@code onOpen}/{@code onClose}),
 * {@code unix:///path}, and {@code tls}, {@code tls4}, {@code tls6} (TCP with TLS, with
 * {@link Options#tls()}; {@code onOpen} runs and {@code dial} returns after the handshake, and a
 * failed handshake fails the dial with an {@code SSLHandshakeException} naming the address).
 * Dialed connections are spread over the loops in turn and count towards
 * {@link Options#maxConnections()}; the other limits apply to them as to accepted ones.
 * {@link EventHandler#onBoot} runs in {@link #start}, {@link EventHandler#onTick} on the client's
 * main thread if {@link Options#ticker()} is on, and {@link EventHandler#onShutdown} once after
 * {@link #stop()}.
 *
 * <p>Threading: every method is safe from any thread, but the blocking {@code dial} and
 * {@code enroll} throw on the client's own threads (its loops, and its main thread running
 * {@code onTick}): use {@link #dialAsync} or {@link EventLoop#dial} there. {@link #stop()} called
 * there starts the stop and returns at once instead of waiting.
 */
public final class Client {

    private final ServerEngine engine;

    private Client(ServerEngine engine) {
        this.engine = engine;
    }

    /**
     * Starts the client's loops. Any thread; {@link EventHandler#onBoot} runs on the calling thread
     * before this returns.
     *
     * @throws IOException if a selector cannot be opened
     */
    public static Client start(EventHandler handler, Options options) throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        return new Client(ServerEngine.startClient(handler, options));
    }

    /**
     * Connects to {@code address} and returns the connection once {@link EventHandler#onOpen} has
     * run for it. Any thread but the client's own (it blocks).
     *
     * @throws IllegalArgumentException if the address is malformed
     * @throws ConnectException         if the connection is refused or not made within
     * {@link Options#connectTimeout()} (the message names the address)
     * @throws IOException              for other failures to open the socket
     * @throws IllegalStateException    if called on one of the client's threads
     */
    public Conn dial(String address) throws IOException {
        return dial(address, null);
    }

    /**
     * As {@link #dial(String)}, with {@code context} attached before {@code onOpen} runs. Any
     * thread but the client's own (it blocks).
     */
    public Conn dial(String address, Object context) throws IOException {
        checkNotOnLoop("dial");
        return await(engine.dial(address, context), address);
    }

    /**
     * Dials without blocking; the future completes on the connection's loop thread once
     * {@code onOpen} ran, or exceptionally with a {@link ConnectException} naming the address (or
     * as {@link EventLoop#dial} says). Any thread, the client's loops included.
     *
     * @throws IllegalArgumentException if the address is malformed
     */
    public CompletableFuture<Conn> dialAsync(String address, Object context) {
        return engine.dial(address, context);
    }

    /**
     * Adopts an already connected channel: it becomes non-blocking and is served by one of the
     * client's loops, and closed with the connection. Returns once {@code onOpen} ran. Any thread
     * but the client's own (it blocks).
     *
     * @throws IllegalArgumentException if the channel is not connected
     * @throws IllegalStateException    if called on one of the client's threads
     */
    public Conn enroll(SocketChannel channel) throws IOException {
        return enroll(channel, null);
    }

    /**
     * As {@link #enroll(SocketChannel)}, with {@code context} attached before {@code onOpen} runs.
     * Any thread but the client's own (it blocks).
     */
    public Conn enroll(SocketChannel channel, Object context) throws IOException {
        Objects.requireNonNull(channel, "channel");
        checkNotOnLoop("enroll");
        return await(engine.enroll(channel, context), String.valueOf(channel));
    }

    private Conn await(CompletableFuture<Conn> future, String what) throws IOException {
        // The loop fails the dial itself by then: connecting, then (for tls://) the handshake.
        TlsConfig tls = engine.options().tls();
        // Saturated: a "forever" connectTimeout waits forever instead of overflowing.
        long waitMillis = Math.min(io.gnetj.internal.Durations.MAX_NANOS / 1_000_000L,
                io.gnetj.internal.Durations.saturatedMillis(engine.options().connectTimeout()) + TimeUnit.SECONDS.toMillis(5)
                        + (tls == null ? 0 : io.gnetj.internal.Durations.saturatedMillis(tls.handshakeTimeout())));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get(waitMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IOException("cannot connect '" + what + "': " + cause, cause);
        } catch (TimeoutException e) {
            throw new ConnectException("cannot dial '" + what + "': no answer within connectTimeout "
                    + engine.options().connectTimeout());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkNotOnLoop(String op) {
        if (engine.isEngineThread(Thread.currentThread())) {
            throw new IllegalStateException("Client." + op + " blocks and cannot run on the client's own thread "
                    + Thread.currentThread().getName() + "; use dialAsync");
        }
    }

    /** Open connections. Any thread. */
    public int countConnections() {
        return engine.countConnections();
    }

    /** {@code true} until the client has fully stopped. Any thread. */
    public boolean isRunning() {
        return engine.isRunning();
    }

    /**
     * The client's event loops, in index order: dial onto a chosen one with
     * {@link EventLoop#dial}, or run tasks and timers there. Fixed for the client's life. Any
     * thread.
     */
    public java.util.List<EventLoop> eventLoops() {
        return engine.eventLoops();
    }

    /**
     * {@return what the client's loops have done so far, as {@link Engine#metrics()} reports for a
     * server} Any thread; racy reads of the loops' counters, no cost to them.
     */
    public EngineMetrics metrics() {
        return engine.metrics();
    }

    /**
     * {@return the transport the client runs on: {@link Transport#NIO} or {@link Transport#EPOLL},
     * never {@code AUTO} (the choice made at start)} Any thread.
     */
    public Transport transport() {
        return engine.transport();
    }

    /** The options the client runs with. Any thread. */
    public Options options() {
        return engine.options();
    }

    /**
     * Closes every connection (each gets {@code onClose}), ends the loops, runs
     * {@code onShutdown}, and returns once every client thread has ended. Idempotent. Any thread;
     * on one of the client's own threads (a handler, {@code onTick}) it starts the stop and returns
     * at once, since a thread cannot wait for itself.
     */
    public void stop() {
        engine.stop();
    }
}
