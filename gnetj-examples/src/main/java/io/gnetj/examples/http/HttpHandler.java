package io.gnetj.examples.http;

import static io.gnetj.examples.http.HttpSyntax.ascii;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.examples.metrics.PrometheusMetrics;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * An HTTP/1.1 server for benchmarks and curl:
 * <ul>
 *   <li>{@code GET /plaintext}: {@code Hello, World!} as {@code text/plain};
 *   <li>{@code GET /json}: {@code {"message":"Hello, World!"}}, serialized per request;
 *   <li>{@code POST /echo}: the request body back;
 *   <li>{@code GET /ip}: the client's address as gnetj reports it, {@code host:port} (with
 *       {@code --proxy-protocol}, the one the load balancer's PROXY header named);
 *   <li>{@code GET /metrics}: the engine's meters in the Prometheus text format
 *       ({@link PrometheusMetrics}; allocates, as a monitoring request may).
 * </ul>
 * With a {@link DocumentRoot} ({@code --root DIR}) these routes are off and every request is
 * answered from the files under it instead, by a {@link FileResponder}.
 *
 * <p>{@code HEAD} is answered wherever {@code GET} is. Keep-alive is the HTTP/1.1 default;
 * {@code Connection: close} is honoured, and HTTP/1.0 closes unless it asked for keep-alive.
 * Pipelined requests are answered in order; every response of one {@code onTraffic} is written
 * into the connection and sent together when the callback returns.
 *
 * <p>A bad request gets its status ({@link HttpRequestParser} lists them; 404 for an unknown path,
 * 405 with {@code Allow} for a known path with another method) with {@code Connection: close}, and
 * the connection is closed once it is sent.
 *
 * <p>A request head must arrive whole within {@code headerTimeout} of its first byte, or the
 * connection gets {@code 408 Request Timeout} and is closed: a slowloris client, which trickles a
 * head one byte at a time so the engine's idle timeout never fires, cannot hold a connection for
 * long. The clock is read only when a callback ends with a head still incomplete, never on the
 * path of a client that sends whole requests. A client that sends part of a head and then nothing
 * is left to the engine's idle timeout.
 *
 * <p>The plaintext path allocates nothing in steady state: the parser reads the {@code peek} view
 * in place, the response is composed in the session's scratch array, and the {@code Date} value
 * comes from a {@link DateCache}.
 *
 * <p>Threading: one handler shared by every loop; per-connection state lives in each connection's
 * context.
 */
public final class HttpHandler implements EventHandler {

    /** The HTTP request line limit (414 past it) and header section limit (431 past it). */
    public static final int MAX_REQUEST_LINE = 8 * 1024;
    public static final int MAX_HEADER_BYTES = 8 * 1024;

    static final byte[] PLAINTEXT_PATH = ascii("/plaintext");
    static final byte[] JSON_PATH = ascii("/json");
    static final byte[] METRICS_PATH = ascii("/metrics");
    static final byte[] ECHO_PATH = ascii("/echo");
    static final byte[] IP_PATH = ascii("/ip");

    static final String HELLO = "Hello, World!";
    private static final byte[] HELLO_BYTES = ascii(HELLO);

    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] STATUS_200 = ascii("HTTP/1.1 200 OK\r\n");
    private static final byte[] CONTINUE_100 = ascii("HTTP/1.1 100 Continue\r\n\r\n");
    private static final byte[] SERVER = ascii("Server: gnetj\r\nDate: ");
    private static final byte[] CONTENT_TYPE = ascii("\r\nContent-Type: ");
    private static final byte[] CONTENT_LENGTH = ascii("\r\nContent-Length: ");
    private static final byte[] TEXT_PLAIN = ascii("text/plain");
    private static final byte[] APPLICATION_JSON = ascii("application/json");
    private static final byte[] PROMETHEUS_TEXT = ascii(PrometheusMetrics.CONTENT_TYPE);
    private static final byte[] OCTET_STREAM = ascii("application/octet-stream");
    private static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] ALLOW_GET = ascii("Allow: GET, HEAD\r\n");
    private static final byte[] ALLOW_POST = ascii("Allow: POST\r\n");

    /** How long a request head may take to arrive, by default. */
    public static final long DEFAULT_HEADER_TIMEOUT_MILLIS = 10_000;

    private final long maxBody;
    private final DateCache dates;
    private final long headerTimeoutNanos;
    private final LongSupplier nanoClock;
    /** Answers every request when serving a directory; {@code null} for the built-in routes. */
    private final FileResponder files;
    /** The engine served (set by onBoot), and its Prometheus meters, made by the first GET /metrics. */
    private volatile Engine engine;
    private PrometheusMetrics metrics;

    /**
     * A handler with the default header timeout ({@value #DEFAULT_HEADER_TIMEOUT_MILLIS} ms).
     *
     * @param maxBody largest request body accepted (413 past it)
     * @param dates   where the {@code Date} header comes from
     */
    public HttpHandler(long maxBody, DateCache dates) {
        this(maxBody, dates, DEFAULT_HEADER_TIMEOUT_MILLIS);
    }

    /**
     * @param maxBody             largest request body accepted (413 past it)
     * @param dates               where the {@code Date} header comes from
     * @param headerTimeoutMillis how long a request head may take from its first byte to its last
     *                            (408 past it); 0 for no limit
     */
    public HttpHandler(long maxBody, DateCache dates, long headerTimeoutMillis) {
        this(maxBody, dates, headerTimeoutMillis, System::nanoTime);
    }

    /**
     * A handler serving the files under {@code root} instead of the built-in routes; {@code null}
     * for the routes.
     */
    public HttpHandler(long maxBody, DateCache dates, long headerTimeoutMillis, DocumentRoot root) {
        this(maxBody, dates, headerTimeoutMillis, System::nanoTime, root);
    }

    HttpHandler(long maxBody, DateCache dates, long headerTimeoutMillis, LongSupplier nanoClock) {
        this(maxBody, dates, headerTimeoutMillis, nanoClock, null);
    }

    HttpHandler(long maxBody, DateCache dates, long headerTimeoutMillis, LongSupplier nanoClock, DocumentRoot root) {
        if (headerTimeoutMillis < 0) {
            throw new IllegalArgumentException("headerTimeoutMillis must not be negative: " + headerTimeoutMillis);
        }
        this.maxBody = maxBody;
        this.dates = dates;
        this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis);
        this.nanoClock = nanoClock;
        this.files = root == null ? null : new FileResponder(root, dates);
    }

    /** Keeps the engine for {@code GET /metrics}. The thread that starts the engine. */
    @Override
    public Action onBoot(Engine engine) {
        this.engine = engine;
        return Action.NONE;
    }

    @Override
    public Action onOpen(Conn conn) {
        conn.context(new HttpSession(new HttpRequestParser(MAX_REQUEST_LINE, MAX_HEADER_BYTES, maxBody)));
        return Action.NONE;
    }

    @Override
    public Action onClose(Conn conn, Throwable cause) {
        HttpSession session = conn.context();
        if (session != null) {
            session.close();
        }
        return Action.NONE;
    }

    @Override
    public Action onTraffic(Conn conn) {
        HttpSession session = conn.context();
        if (session.closeAfterFiles) {
            conn.discard(-1); // the last response is on its way; nothing after it is answered
            return Action.NONE;
        }
        HttpRequestParser parser = session.parser;
        ByteBuffer in = conn.peek(-1);
        int consumed = 0;
        Action action = Action.NONE;
        while (in.hasRemaining()) {
            if (session.filesInFlight >= FileResponder.MAX_FILES_IN_FLIGHT) {
                session.waitingForFiles = true; // the next file sent wakes this connection
                break;
            }
            int n = parser.parse(in);
            if (n == HttpRequestParser.NEED_MORE) {
                if (parser.shouldSendContinue()) {
                    conn.write(CONTINUE_100);
                    parser.continueSent();
                }
                break;
            }
            if (n == HttpRequestParser.ERROR) {
                writeError(conn, session, parser.errorStatus(), null);
                action = Action.CLOSE;
                break;
            }
            session.headStartedNanos = 0;
            boolean keepAlive = respond(conn, session, in);
            in.position(in.position() + n);
            consumed += n;
            if (!keepAlive) {
                action = Action.CLOSE;
                break;
            }
        }
        if (action == Action.NONE) {
            conn.discard(consumed);
            if (in.hasRemaining() && parser.headIncomplete() && headerTimedOut(session)) {
                writeError(conn, session, 408, null);
                action = Action.CLOSE;
            } else if (!in.hasRemaining()) {
                session.headStartedNanos = 0;
            }
        }
        if (action == Action.CLOSE && session.filesInFlight > 0) {
            // Conn.close() would give the queued files only closeTimeout; the last one closes instead.
            session.closeAfterFiles = true;
            conn.discard(-1);
            return Action.NONE;
        }
        return action;
    }

    /**
     * Called when a callback ends inside a request head: starts the head's clock, or says whether
     * it ran out.
     */
    private boolean headerTimedOut(HttpSession session) {
        if (headerTimeoutNanos == 0) {
            return false;
        }
        long now = nanoClock.getAsLong();
        if (session.headStartedNanos == 0) {
            session.headStartedNanos = now == 0 ? 1 : now; // 0 means "no head pending"
            return false;
        }
        return now - session.headStartedNanos > headerTimeoutNanos;
    }

    /** Answers the request just parsed; returns whether the connection stays open. */
    private boolean respond(Conn conn, HttpSession session, ByteBuffer in) {
        if (files != null) {
            return files.respond(conn, session, in);
        }
        HttpRequestParser p = session.parser;
        int method = p.method();
        boolean getOrHead = method == HttpRequestParser.METHOD_GET || method == HttpRequestParser.METHOD_HEAD;
        boolean withBody = method != HttpRequestParser.METHOD_HEAD;
        if (p.pathEquals(in, PLAINTEXT_PATH)) {
            if (!getOrHead) {
                return writeError(conn, session, 405, ALLOW_GET);
            }
            writeOk(conn, session, TEXT_PLAIN, HELLO_BYTES, 0, HELLO_BYTES.length, withBody);
        } else if (p.pathEquals(in, JSON_PATH)) {
            if (!getOrHead) {
                return writeError(conn, session, 405, ALLOW_GET);
            }
            JsonMessageWriter json = session.json();
            byte[] body = json.write(HELLO);
            writeOk(conn, session, APPLICATION_JSON, body, 0, json.length(), withBody);
        } else if (p.pathEquals(in, ECHO_PATH)) {
            if (method != HttpRequestParser.METHOD_POST) {
                return writeError(conn, session, 405, ALLOW_POST);
            }
            writeEcho(conn, session, in);
        } else if (p.pathEquals(in, IP_PATH)) {
            if (!getOrHead) {
                return writeError(conn, session, 405, ALLOW_GET);
            }
            byte[] body = ascii(clientAddress(conn) + "\n");
            writeOk(conn, session, TEXT_PLAIN, body, 0, body.length, withBody);
        } else if (p.pathEquals(in, METRICS_PATH) && engine != null) {
            if (!getOrHead) {
                return writeError(conn, session, 405, ALLOW_GET);
            }
            byte[] body = prometheus().scrapeBytes(); // allocates: a monitoring request, not the hot path
            writeOk(conn, session, PROMETHEUS_TEXT, body, 0, body.length, withBody);
        } else {
            return writeError(conn, session, 404, null);
        }
        return p.keepAlive();
    }

    /**
     * The client as gnetj reports it, {@code host:port} ({@code [v6]:port}): behind a balancer
     * with {@code --proxy-protocol}, the address its PROXY header named.
     */
    static String clientAddress(Conn conn) {
        java.net.SocketAddress a = conn.remoteAddress();
        if (a instanceof java.net.InetSocketAddress) {
            java.net.InetSocketAddress inet = (java.net.InetSocketAddress) a;
            String host = inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(a);
    }

    /** The engine's Prometheus meters, made on first use (on a loop thread; any loop may be first). */
    private synchronized PrometheusMetrics prometheus() {
        if (metrics == null) {
            metrics = PrometheusMetrics.of(engine, "http");
        }
        return metrics;
    }

    private void writeOk(Conn conn, HttpSession session, byte[] contentType, byte[] body, int off, int len,
                         boolean withBody) {
        byte[] out = session.out();
        int n = head(out, STATUS_200, contentType, len, connectionHeader(session.parser), null);
        if (withBody && n + len <= out.length) {
            System.arraycopy(body, off, out, n, len);
            conn.write(out, 0, n + len);
        } else {
            conn.write(out, 0, n);
            if (withBody) {
                conn.write(body, off, len);
            }
        }
    }

    private void writeEcho(Conn conn, HttpSession session, ByteBuffer in) {
        HttpRequestParser p = session.parser;
        int len = p.bodyLength();
        byte[] out = session.out();
        int n = head(out, STATUS_200, OCTET_STREAM, len, connectionHeader(p), null);
        conn.write(out, 0, n);
        if (p.chunked()) {
            conn.write(p.chunkedBody(), 0, len);
        } else if (len > 0) {
            // Write straight from the inbound view: narrow it to the body, then put it back.
            int position = in.position();
            int limit = in.limit();
            in.limit(p.bodyStart() + len).position(p.bodyStart());
            conn.write(in);
            in.limit(limit).position(position);
        }
    }

    /** Writes an error response; returns false: the connection is to be closed. */
    private boolean writeError(Conn conn, HttpSession session, int status, byte[] allow) {
        byte[] reason = reason(status);
        byte[] out = session.out();
        int n = head(out, statusLine(status), TEXT_PLAIN, reason.length + 1, CONNECTION_CLOSE, allow);
        n = put(out, n, reason);
        out[n++] = '\n';
        conn.write(out, 0, n);
        return false;
    }

    /** The {@code Connection} header line a response to {@code p}'s request needs, or {@code null}. */
    static byte[] connectionHeader(HttpRequestParser p) {
        if (!p.keepAlive()) {
            return CONNECTION_CLOSE;
        }
        return p.minorVersion() == 0 ? CONNECTION_KEEP_ALIVE : null;
    }

    /** Composes status line and headers into {@code out}; returns the bytes written. */
    private int head(byte[] out, byte[] statusLine, byte[] contentType, int contentLength, byte[] connection,
                     byte[] extra) {
        int n = put(out, 0, statusLine);
        n = put(out, n, SERVER);
        n = put(out, n, dates.get());
        n = put(out, n, CONTENT_TYPE);
        n = put(out, n, contentType);
        n = put(out, n, CONTENT_LENGTH);
        n = putInt(out, n, contentLength);
        n = put(out, n, CRLF);
        if (connection != null) {
            n = put(out, n, connection);
        }
        if (extra != null) {
            n = put(out, n, extra);
        }
        return put(out, n, CRLF);
    }

    private static int put(byte[] out, int at, byte[] src) {
        System.arraycopy(src, 0, out, at, src.length);
        return at + src.length;
    }

    private static int putInt(byte[] out, int at, int value) {
        if (value == 0) {
            out[at] = '0';
            return at + 1;
        }
        int digits = 0;
        for (int v = value; v > 0; v /= 10) {
            digits++;
        }
        int end = at + digits;
        for (int i = end - 1, v = value; i >= at; i--, v /= 10) {
            out[i] = (byte) ('0' + v % 10);
        }
        return end;
    }

    /** {@code HTTP/1.1 404 Not Found\r\n}, for any status {@link #reason} knows. */
    static byte[] statusLine(int status) {
        byte[] line = status >= 100 && status < 600 ? STATUS_LINES[status - 100] : null;
        return line != null ? line : STATUS_LINES[500 - 100];
    }

    static byte[] reason(int status) {
        switch (status) {
            case 400: return REASON_400;
            case 403: return REASON_403;
            case 416: return REASON_416;
            case 404: return REASON_404;
            case 405: return REASON_405;
            case 408: return REASON_408;
            case 413: return REASON_413;
            case 414: return REASON_414;
            case 431: return REASON_431;
            case 501: return REASON_501;
            case 505: return REASON_505;
            default: return REASON_500;
        }
    }

    private static final byte[] REASON_400 = ascii("Bad Request");
    private static final byte[] REASON_403 = ascii("Forbidden");
    private static final byte[] REASON_404 = ascii("Not Found");
    private static final byte[] REASON_405 = ascii("Method Not Allowed");
    private static final byte[] REASON_408 = ascii("Request Timeout");
    private static final byte[] REASON_413 = ascii("Content Too Large");
    private static final byte[] REASON_414 = ascii("URI Too Long");
    private static final byte[] REASON_431 = ascii("Request Header Fields Too Large");
    private static final byte[] REASON_500 = ascii("Internal Server Error");
    private static final byte[] REASON_501 = ascii("Not Implemented");
    private static final byte[] REASON_505 = ascii("HTTP Version Not Supported");
    private static final byte[] REASON_416 = ascii("Range Not Satisfiable");

    private static final byte[][] STATUS_LINES = new byte[500][];

    static {
        for (int status : new int[] {400, 403, 404, 405, 408, 413, 414, 416, 431, 500, 501, 505}) {
            STATUS_LINES[status - 100] = ascii("HTTP/1.1 " + status + " "
                    + new String(reason(status), java.nio.charset.StandardCharsets.US_ASCII) + "\r\n");
        }
    }
}
