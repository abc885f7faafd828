package io.gnetj;

import io.gnetj.internal.ServerEngine;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Starts engines. An address is {@code scheme://host:port} with scheme {@code tcp}, {@code tcp4},
 * {@code tcp6}, {@code udp}, {@code udp4} or {@code udp6} (an empty host means every interface,
 * e.g. {@code tcp://:9000}; IPv6 hosts in brackets, e.g. {@code tcp6://[::1]:9000}), or
 * {@code tls}, {@code tls4} or {@code tls6} for TCP with TLS (which needs {@link Options#tls()};
 * see {@link TlsConfig}), or
 * {@code unix:///path/to.sock} for a Unix domain socket (a stale socket file there is replaced,
 * and the file is removed on stop). Port 0 lets the system choose, and
 * {@link Engine#addresses()} tells which it chose. UDP multicast groups are joined on
 * {@link Options#multicastInterface()}.
 *
 * <p>A UDP address is served by every event loop on Linux: each loop binds its own
 * {@code SO_REUSEPORT} socket to it and the kernel spreads senders over them (one sender's
 * datagrams stay on one loop, in order). Where {@code SO_REUSEPORT} is missing or does not spread
 * datagrams (macOS, BSD), and for multicast groups, one socket on one loop serves it.
 *
 * <p>Nothing is accepted or received before {@link EventHandler#onBoot} returned, in every mode.
 * {@link #run} and {@link #rotate} stop the engine gracefully on SIGINT/SIGTERM
 * ({@link Options#stopOnSignal()}).
 *
 * <p>Threading: any thread. {@link #run} and {@link #rotate} block the calling thread until the
 * engine stops; {@code start} returns once {@link EventHandler#onBoot}, which runs on it, has
 * returned.
 */
public final class Gnet {

    private Gnet() {
    }

    /**
     * Serves {@code address} with {@code handler} and blocks until the engine stops: by
     * {@link Engine#stop}, {@link Action#SHUTDOWN}, a {@link Tick#shutdown()}, or, with
     * {@link Options#stopOnSignal()} (the default), when the JVM shuts down on SIGINT or SIGTERM:
     * every connection then gets {@code onClose}, {@code onShutdown} runs and unix socket files are
     * removed, within {@link Options#closeTimeout()}, before the process exits. If the calling
     * thread is interrupted, stops the engine and returns with the interrupt flag set.
     *
     * <p>Any thread that may block for the engine's life (usually the application's main
     * thread), not one of a running engine's own threads, which it would hold up.
     * {@link EventHandler#onBoot} runs on it.
     *
     * @throws IllegalArgumentException if the address is malformed or its scheme unknown
     * @throws IOException              if the address cannot be bound (the message names it)
     */
    public static void run(EventHandler handler, String address, Options options) throws IOException {
        rotate(handler, List.of(address), options);
    }

    /**
     * Serves several addresses with one engine (one set of loops) and blocks until it stops, as
     * {@link #run(EventHandler, String, Options)} does. Any thread that may block for the
     * engine's life, not one of a running engine's own threads; {@link EventHandler#onBoot} runs
     * on it.
     *
     * @throws IllegalArgumentException if there is no address, or one is malformed or its scheme
     *                                  unknown
     * @throws IOException              if an address cannot be bound (the message names it)
     * @see #run(EventHandler, String, Options)
     */
    public static void rotate(EventHandler handler, List<String> addresses, Options options) throws IOException {
        Objects.requireNonNull(options, "options");
        StopOnSignal signal = options.stopOnSignal() ? new StopOnSignal() : null;
        try {
            // The hook goes in before onBoot: a signal from then on stops the engine cleanly.
            Engine engine = start(handler, addresses, options, signal == null ? null : signal::install);
            try {
                engine.awaitTermination();
            } catch (InterruptedException e) {
                engine.stop();
                Thread.currentThread().interrupt();
            }
        } finally {
            if (signal != null) {
                signal.remove();
            }
        }
    }

    private static Engine start(EventHandler handler, List<String> addresses, Options options,
                                Consumer<Engine> beforeBoot) throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(options, "options");
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no address to serve");
        }
        return ServerEngine.start(handler, addresses, options, beforeBoot);
    }

    /**
     * Starts serving {@code address} and returns the running engine (for tests and embedding).
     * {@link EventHandler#onBoot} has run when this returns, and nothing was accepted or received
     * before it returned. No shutdown hook is installed ({@link Options#stopOnSignal()} is for
     * {@link #run}): the embedding application stops the engine.
     *
     * <p>Any thread. {@link EventHandler#onBoot} runs on it: this binds, runs {@code onBoot} and
     * returns, without waiting for the engine to stop.
     *
     * @throws IllegalArgumentException if the address is malformed or its scheme unknown
     * @throws IOException              if the address cannot be bound (the message names it)
     */
    public static Engine start(EventHandler handler, String address, Options options) throws IOException {
        return start(handler, List.of(address), options);
    }

    /**
     * Starts serving several addresses with one engine and returns it, as
     * {@link #start(EventHandler, String, Options)} does. Any thread; {@link EventHandler#onBoot}
     * runs on it.
     *
     * @throws IllegalArgumentException if there is no address, or one is malformed or its scheme
     *                                  unknown
     * @throws IOException              if an address cannot be bound (the message names it)
     */
    public static Engine start(EventHandler handler, List<String> addresses, Options options) throws IOException {
        return start(handler, addresses, options, null);
    }
}
