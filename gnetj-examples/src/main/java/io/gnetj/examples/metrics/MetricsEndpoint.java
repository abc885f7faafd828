package io.gnetj.examples.metrics;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A tiny HTTP/1.1 server on its own one-loop gnetj engine that answers {@code GET /metrics} with
 * a {@link PrometheusMetrics} scrape, and 404 to anything else; every response closes the
 * connection (Prometheus and curl open one per scrape). The served engine's loops never run a
 * scrape.
 *
 * <p>Threading: {@link #start} from any thread; the handler runs on the endpoint's loop.
 */
public final class MetricsEndpoint implements EventHandler {

    /** A request head larger than this is refused (400): a scrape request is a few hundred bytes. */
    private static final int MAX_HEAD = 8 * 1024;
    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

    private final PrometheusMetrics metrics;

    private MetricsEndpoint(PrometheusMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Serves {@code metrics} on {@code tcp://host:port} (port 0: any free one) and returns the
     * running endpoint engine; stop it with {@link Engine#stop()}. Any thread.
     *
     * @throws IOException if the address cannot be bound
     */
    public static Engine start(PrometheusMetrics metrics, String host, int port) throws IOException {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return Gnet.start(new MetricsEndpoint(metrics), "tcp://" + h + ":" + port,
                Options.builder().numEventLoops(1).stopOnSignal(false).build());
    }

    /** Waits for a whole request head, then answers it and closes. Loop thread. */
    @Override
    public Action onTraffic(Conn conn) {
        int buffered = conn.inboundBuffered();
        ByteBuffer head = conn.peek(-1);
        int end = indexOf(head, END_OF_HEAD);
        if (end < 0) {
            if (buffered > MAX_HEAD) {
                respond(conn, "400 Bad Request", "text/plain", ascii("request head too large\n"));
                return Action.CLOSE;
            }
            return Action.NONE;
        }
        byte[] line = new byte[Math.min(end, 64)];
        head.get(head.position(), line);
        String request = new String(line, StandardCharsets.US_ASCII);
        conn.discard(-1);
        if (request.startsWith("GET /metrics ") || request.startsWith("GET /metrics?")) {
            respond(conn, "200 OK", PrometheusMetrics.CONTENT_TYPE, metrics.scrapeBytes());
        } else {
            respond(conn, "404 Not Found", "text/plain", ascii("only GET /metrics here\n"));
        }
        return Action.CLOSE;
    }

    /** Writes a whole response: status line, headers and body. */
    static void respond(Conn conn, String status, String contentType, byte[] body) {
        String head = "HTTP/1.1 " + status + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        conn.write(head.getBytes(StandardCharsets.US_ASCII));
        conn.write(body);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int indexOf(ByteBuffer b, byte[] needle) {
        int from = b.position();
        int to = b.limit() - needle.length;
        outer:
        for (int i = from; i <= to; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (b.get(i + k) != needle[k]) {
                    continue outer;
                }
            }
            return i - from;
        }
        return -1;
    }
}
