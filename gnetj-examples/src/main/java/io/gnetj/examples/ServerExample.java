package io.gnetj.examples;

import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import io.gnetj.TlsConfig;
import io.gnetj.Transport;
import io.gnetj.examples.metrics.MetricsEndpoint;
import io.gnetj.examples.metrics.PrometheusMetrics;
import io.gnetj.examples.tls.TlsFlags;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A server example: binds {@code tcp://HOST:PORT} (or what {@link #address(Flags)} says) with
 * {@code --loops} event loops, prints one line once listening, and stops the engine cleanly on
 * Ctrl-C (a shutdown hook calls {@link Engine#stop()}). Subclasses supply the handler, their own
 * flags and option tweaks; a UDP or Unix server overrides {@link #scheme()} (and, for Unix,
 * {@link #addressFlags()} and {@link #address(Flags)}).
 *
 * <p>An example whose {@link #supportsTls()} says so takes {@code --tls} (and the key flags of
 * {@link TlsFlags}): it then serves {@code tls://} with the handler unchanged.
 *
 * <p>{@link #start(Flags)} returns the running engine without blocking, for tests and embedding.
 */
public abstract class ServerExample implements Example {

    /** Interface to bind; loopback unless asked, so an example never listens on the network by surprise. */
    public static final Flag HOST = Flag.string("host", "H", "address to bind", "127.0.0.1");
    /**
     * Port to bind, 0 letting the system choose; 9000 unless the example's {@link #defaultPort()}
     * says otherwise (its {@link #flags()} then hold a {@code --port} with that default).
     */
    public static final Flag PORT = portFlag(9000);
    /** Event loops; 0 means one per core. */
    public static final Flag LOOPS = Flag.integer("loops", "event loops", 0, 0, 1024)
            .withDefaultLabel("one per core");
    /**
     * Port of the Prometheus endpoint ({@code GET /metrics} on {@code --host}, served by its own
     * small engine; see docs/observability.md), 0 for any free port; off unless given.
     */
    public static final Flag METRICS_PORT = Flag.integer("metrics-port",
            "serve the engine's metrics in the Prometheus text format at GET /metrics on this port", -1, -1, 65535)
            .withDefaultLabel("off");

    /**
     * The transport under the connections ({@link Transport}): {@code nio}, {@code epoll} or
     * {@code auto}; when not given, the {@code io.gnetj.transport} system property, else auto
     * (epoll on Linux with JDK 22+ and native access, which this jar's manifest grants when run
     * with {@code java -jar}; NIO otherwise). The engine logs which one runs.
     */
    public static final Flag TRANSPORT = Flag.optional("transport", "NAME",
            "transport: nio, epoll, or auto (epoll on Linux, JDK 22+, native access; else nio)")
            .withDefaultLabel("auto, or -D" + Transport.PROPERTY);

    /**
     * Sets {@code builder}'s transport from {@link #TRANSPORT} if given (else leaves the default).
     *
     * @throws UsageException if the flag names no transport
     */
    public static Options.Builder transport(Flags flags, Options.Builder builder) {
        String name = flags.getString(TRANSPORT.name());
        if (name.isEmpty()) {
            return builder;
        }
        try {
            return builder.transport(Transport.parse(name));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--transport: " + e.getMessage());
        }
    }

    @Override
    public final List<Flag> flags() {
        List<Flag> all = new ArrayList<>(addressFlags());
        all.add(LOOPS);
        all.add(TRANSPORT);
        all.add(METRICS_PORT);
        all.addAll(ownFlags());
        if (supportsTls()) {
            all.addAll(TlsFlags.ALL);
        }
        return List.copyOf(all);
    }

    /** The flags that say where to listen: {@code --host} and {@code --port} unless overridden. */
    protected List<Flag> addressFlags() {
        return List.of(HOST, portFlag(defaultPort())); // equal to PORT (a record) at 9000
    }

    /**
     * The port served when {@code --port} is not given: 9000, unless clients of the protocol
     * assume another (redis-cli 6379, HTTP tutorials and tools 8080), so that they connect
     * without being told where.
     */
    protected int defaultPort() {
        return Integer.parseInt(PORT.defaultValue());
    }

    private static Flag portFlag(int defaultPort) {
        return Flag.integer("port", "port to bind, 0 for any free port", defaultPort, 0, 65535);
    }

    /** Flags of this example beyond the address and loops. */
    protected List<Flag> ownFlags() {
        return List.of();
    }

    /** The address scheme served: {@code tcp} unless overridden ({@code udp}, {@code unix}). */
    protected String scheme() {
        return "tcp";
    }

    /** Whether this example takes {@code --tls}: a TCP server whose handler sees plaintext either way. */
    protected boolean supportsTls() {
        return false;
    }

    /** Adjusts the TLS config of a {@code --tls} run (the key material is set), e.g. for ALPN. */
    protected TlsConfig.Builder tls(Flags flags, TlsConfig.Builder builder) {
        return builder;
    }

    /** Whether this run serves TLS. */
    public final boolean tlsEnabled(Flags flags) {
        return supportsTls() && TlsFlags.enabled(flags);
    }

    /** The handler serving this run. */
    protected abstract EventHandler handler(Flags flags);

    /** Adjusts the engine options (loops are already set). */
    protected Options.Builder options(Flags flags, Options.Builder builder) {
        return builder;
    }

    /** The options this run starts with. */
    public final Options options(Flags flags) throws IOException {
        return resolveOptions(flags, null);
    }

    /** The options this run starts with; a self-signed certificate's path is printed to {@code out}. */
    private Options resolveOptions(Flags flags, PrintStream out) throws IOException {
        int loops = flags.getInt(LOOPS.name());
        Options.Builder b = Options.builder();
        if (loops == 0) {
            b.multicore(true);
        } else {
            b.numEventLoops(loops);
        }
        if (tlsEnabled(flags)) {
            b.tls(tls(flags, TlsFlags.builder(flags, out)).build());
        }
        transport(flags, b);
        return options(flags, b).build();
    }

    /** The address this run binds, e.g. {@code tcp://127.0.0.1:9000}. */
    public String address(Flags flags) {
        String host = flags.getString(HOST.name());
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return scheme(flags) + "://" + host + ":" + flags.getInt(PORT.name());
    }

    /** The scheme this run serves: {@code tls} with {@code --tls}, else {@link #scheme()}. */
    public final String scheme(Flags flags) {
        return tlsEnabled(flags) ? "tls" : scheme();
    }

    /** Starts serving and returns the running engine. */
    public final Engine start(Flags flags) throws IOException {
        return start(flags, null);
    }

    private Engine start(Flags flags, PrintStream out) throws IOException {
        return Gnet.start(handler(flags), address(flags), resolveOptions(flags, out));
    }

    /**
     * With {@code --metrics-port}, starts the Prometheus endpoint for {@code engine} and returns
     * it (stop it after the engine); else {@code null}.
     */
    public final Engine startMetrics(Flags flags, Engine engine) throws IOException {
        int port = flags.getInt(METRICS_PORT.name());
        if (port < 0) {
            return null;
        }
        return MetricsEndpoint.start(PrometheusMetrics.of(engine, name()), flags.getString(HOST.name()), port);
    }

    /** Serves until the engine stops (Ctrl-C, SIGTERM or a handler's {@code SHUTDOWN}). */
    @Override
    public int run(Flags flags, PrintStream out) throws Exception {
        Engine engine = start(flags, out);
        Engine metrics;
        try {
            metrics = startMetrics(flags, engine);
        } catch (IOException | RuntimeException e) {
            engine.stop();
            throw e;
        }
        Thread hook = new Thread(() -> {
            engine.stop();
            if (metrics != null) {
                metrics.stop();
            }
        }, name() + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int loops = engine.options().effectiveEventLoops();
        out.println(name() + " listening on " + describe(scheme(flags), engine.addresses().get(0)) + " with " + loops
                + (loops == 1 ? " event loop" : " event loops") + " (" + engine.transport().name().toLowerCase(Locale.ROOT)
                + " transport)");
        if (metrics != null) {
            out.println(name() + " metrics at " + describe("http", metrics.addresses().get(0)) + "/metrics");
        }
        out.flush();
        engine.awaitTermination();
        if (metrics != null) {
            metrics.stop();
        }
        return 0;
    }

    /** {@code scheme://host:port} (or {@code unix:///path}) of a bound address. */
    public static String describe(String scheme, SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) address;
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            if (host.indexOf(':') >= 0) {
                host = "[" + host + "]";
            }
            return scheme + "://" + host + ":" + a.getPort();
        }
        if (address instanceof UnixDomainSocketAddress) {
            return "unix://" + ((UnixDomainSocketAddress) address).getPath();
        }
        return String.valueOf(address);
    }
}
