package io.gnetj.examples.proxy;

import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;
import io.gnetj.examples.UsageException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code proxy}: the TCP relay of {@link ProxyHandler}. Listens on 7000 unless told otherwise and
 * relays every connection to {@code --upstream} (the echo example's {@code tcp://127.0.0.1:9000}
 * by default), with backpressure both ways and half-close passed through.
 *
 * <h2>Memory per pair</h2>
 * A connection's outbound queue stops its peer's reading at {@code --high-water} and resumes it
 * at half that, so each direction holds about the mark plus the reads already in flight when the
 * pause lands (one read is at most {@link Options#readBufferCap()}, 64 KiB). The hard cap
 * ({@link Options#maxOutboundBuffered()}) sits {@link #OUTBOUND_SLACK} above the mark: only a
 * broken pause could reach it, and then the connection is closed rather than allowed to grow.
 */
public final class ProxyExample extends ServerExample {

    /** Where clients are relayed. */
    public static final Flag UPSTREAM = Flag.string("upstream", "ADDRESS",
            "server to relay to: tcp://host:port (tcp4, tcp6) or unix:///path", "tcp://127.0.0.1:9000");
    /** Queued bytes towards one side at which reading from the other pauses; it resumes at half. */
    public static final Flag HIGH_WATER = Flag.size("high-water",
            "bytes queued towards one side at which reading from the other pauses (resumes at half)",
            "256k", 2, 64L * 1024 * 1024);
    /** How long a dial to the upstream may take. */
    public static final Flag CONNECT_TIMEOUT_MS = Flag.integer("connect-timeout-ms",
            "ms a dial to the upstream may take before the client is closed", 5_000, 1, 3_600_000);
    /** The engine's idle timeout, for client and upstream connections alike. */
    public static final Flag IDLE_TIMEOUT_MS = Flag.integer("idle-timeout-ms",
            "ms without traffic before a connection (and so its pair) is closed (0: never)", 300_000, 0,
            Integer.MAX_VALUE);

    /** How far past the high-water mark a queue may grow before the connection is closed instead. */
    public static final int OUTBOUND_SLACK = 1024 * 1024;

    @Override
    public String name() {
        return "proxy";
    }

    @Override
    public String description() {
        return "TCP relay to --upstream: backpressure both ways, half-close passed through";
    }

    /** 7000: clear of the examples it usually fronts (echo 9000, http 8080, redis 6379). */
    @Override
    protected int defaultPort() {
        return 7000;
    }

    @Override
    protected List<Flag> ownFlags() {
        return List.of(UPSTREAM, HIGH_WATER, CONNECT_TIMEOUT_MS, IDLE_TIMEOUT_MS);
    }

    @Override
    protected EventHandler handler(Flags flags) {
        return new ProxyHandler(resolveUpstream(flags.getString(UPSTREAM.name())));
    }

    @Override
    protected Options.Builder options(Flags flags, Options.Builder builder) {
        int high = flags.getInt(HIGH_WATER.name());
        return builder.halfClose(true)
                .pauseReadingWhenUnwritable(false) // the handler pauses the other side instead
                .writeBufferWaterMarks(high / 2, high)
                .maxOutboundBuffered(high + OUTBOUND_SLACK)
                .connectTimeout(Duration.ofMillis(flags.getLong(CONNECT_TIMEOUT_MS.name())))
                .idleTimeout(Duration.ofMillis(flags.getLong(IDLE_TIMEOUT_MS.name())));
    }

    /**
     * Checks an upstream address and resolves its host name once, here: a dial parses its address
     * on the event loop, where a DNS lookup would stall every connection of the loop. A literal
     * address and {@code unix://} come back as given (the scheme lower-cased).
     *
     * @throws UsageException if the scheme is not a stream one, the port is missing or the host
     *                        does not resolve
     */
    public static String resolveUpstream(String address) {
        int sep = address.indexOf("://");
        if (sep <= 0) {
            throw new UsageException("--upstream " + address + ": expected scheme://host:port, e.g. tcp://127.0.0.1:6379");
        }
        String scheme = address.substring(0, sep).toLowerCase(Locale.ROOT);
        String rest = address.substring(sep + 3);
        if (scheme.equals("unix")) {
            if (rest.isEmpty()) {
                throw new UsageException("--upstream " + address + ": no socket path");
            }
            return scheme + "://" + rest;
        }
        if (!scheme.equals("tcp") && !scheme.equals("tcp4") && !scheme.equals("tcp6")) {
            throw new UsageException("--upstream " + address + ": the proxy relays streams; use tcp://, tcp4://, tcp6:// or unix://");
        }
        URI uri;
        try {
            uri = new URI("tcp://" + rest);
        } catch (URISyntaxException e) {
            throw new UsageException("--upstream " + address + ": " + e.getMessage());
        }
        if (uri.getHost() == null || uri.getPort() < 0 || uri.getPort() > 65535 || uri.getPort() == 0
                || (uri.getPath() != null && !uri.getPath().isEmpty())) {
            throw new UsageException("--upstream " + address + ": expected " + scheme + "://host:port");
        }
        String host = uri.getHost();
        String literal;
        try {
            InetAddress ip = pick(InetAddress.getAllByName(host), scheme);
            literal = ip.getHostAddress();
        } catch (UnknownHostException e) {
            throw new UsageException("--upstream " + address + ": cannot resolve '" + host + "'");
        }
        if (literal.indexOf(':') >= 0) {
            literal = "[" + literal + "]";
        }
        return scheme + "://" + literal + ":" + uri.getPort();
    }

    /** The first address of the family the scheme asks for ({@code tcp}: the first of any). */
    private static InetAddress pick(InetAddress[] all, String scheme) throws UnknownHostException {
        for (InetAddress a : all) {
            boolean v6 = a instanceof java.net.Inet6Address;
            if (scheme.equals("tcp") || (scheme.equals("tcp6") == v6)) {
                return a;
            }
        }
        throw new UnknownHostException("no " + (scheme.equals("tcp6") ? "IPv6" : "IPv4") + " address");
    }
}
