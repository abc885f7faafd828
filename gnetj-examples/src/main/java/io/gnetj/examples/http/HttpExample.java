package io.gnetj.examples.http;

import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.TlsConfig;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;
import io.gnetj.examples.UsageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code http}: the HTTP/1.1 server of {@link HttpHandler}. */
public final class HttpExample extends ServerExample {

    /** Largest request body accepted; 413 past it. */
    public static final Flag MAX_BODY = Flag.size("max-body", "largest request body accepted (413 past it)",
            "1m", 0, 512L * 1024 * 1024);

    /** How long a request head may take to arrive whole; 408 and close past it. */
    public static final Flag HEADER_TIMEOUT_MS = Flag.integer("header-timeout-ms",
            "ms a request head may take from its first byte to its last (408 past it; 0: no limit)",
            HttpHandler.DEFAULT_HEADER_TIMEOUT_MILLIS, 0, Integer.MAX_VALUE);
    /** The engine's idle timeout: a keep-alive connection (or a head that stalled) with no traffic this long is closed. */
    public static final Flag IDLE_TIMEOUT_MS = Flag.integer("idle-timeout-ms",
            "ms without traffic before a connection is closed (0: never)", 60_000, 0, Integer.MAX_VALUE);

    /** Serve the files under a directory instead of the built-in routes. */
    public static final Flag ROOT = Flag.optional("root", "DIR",
            "serve the files under DIR (GET/HEAD, byte ranges) instead of /plaintext, /json and /echo");

    /** Read a PROXY protocol header (v1 or v2) from every connection: for a server behind HAProxy. */
    public static final Flag PROXY_PROTOCOL = Flag.bool("proxy-protocol",
            "read a PROXY protocol header (v1/v2, as HAProxy's send-proxy sends) before each connection opens");

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String description() {
        return "HTTP/1.1 server: GET /plaintext, GET /json, POST /echo, GET /ip (TechEmpower style, pipelining),"
                + " or the files of --root DIR";
    }

    /** 8080, the port HTTP tutorials, curl examples and load tools assume for a local server. */
    @Override
    protected int defaultPort() {
        return 8080;
    }

    @Override
    protected List<Flag> ownFlags() {
        return List.of(MAX_BODY, HEADER_TIMEOUT_MS, IDLE_TIMEOUT_MS, ROOT, PROXY_PROTOCOL);
    }

    @Override
    protected boolean supportsTls() {
        return true;
    }

    @Override
    protected TlsConfig.Builder tls(Flags flags, TlsConfig.Builder builder) {
        return builder.applicationProtocols("http/1.1"); // ALPN, so HTTP/2-capable clients settle on 1.1
    }

    @Override
    protected EventHandler handler(Flags flags) {
        return new HttpHandler(flags.getLong(MAX_BODY.name()), new DateCache(), flags.getLong(HEADER_TIMEOUT_MS.name()),
                documentRoot(flags));
    }

    /** The {@code --root} directory, or {@code null} without it. */
    private static DocumentRoot documentRoot(Flags flags) {
        String root = flags.getString(ROOT.name());
        if (root.isEmpty()) {
            return null;
        }
        try {
            return new DocumentRoot(Path.of(root));
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("--root " + root + ": not a readable directory (" + e.getMessage() + ")");
        }
    }

    @Override
    protected Options.Builder options(Flags flags, Options.Builder builder) {
        // A whole request (head and body) is held unconsumed until complete: let it fit.
        long inbound = flags.getLong(MAX_BODY.name()) + HttpHandler.MAX_REQUEST_LINE
                + HttpHandler.MAX_HEADER_BYTES + 64 * 1024;
        int defaults = Options.defaults().maxInboundBuffered();
        return builder.proxyProtocol(flags.getBoolean(PROXY_PROTOCOL.name()))
                .maxInboundBuffered((int) Math.min(Integer.MAX_VALUE, Math.max(defaults, inbound)))
                .idleTimeout(java.time.Duration.ofMillis(flags.getLong(IDLE_TIMEOUT_MS.name())));
    }
}
