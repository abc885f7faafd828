package io.gnetj.examples.websocket;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import io.gnetj.codec.websocket.HttpRequestException;
import io.gnetj.codec.websocket.HttpUpgradeRequest;
import io.gnetj.codec.websocket.WebSocketHandshake;
import io.gnetj.codec.websocket.WebSocketListener;
import io.gnetj.codec.websocket.WebSocketSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Serves the page at {@code /} over plain HTTP/1.1 (keep-alive), and upgrades {@code /echo} and
 * {@code /chat} to WebSocket sessions; anything else gets 404.
 *
 * <p>A connection may speak HTTP for at most the request timeout ({@code --request-timeout-ms},
 * 10 s by default) from its start: if it has not upgraded by then it is closed.
 *
 * <p>A connection's context is {@code null} while it speaks HTTP and its {@link WebSocketSession}
 * after the upgrade; the bytes that follow the upgrade request in the same read (an eager
 * client's first frames) go straight to the session.
 *
 * <p>Threading: the callbacks run on the connections' loop threads; the page is immutable and the
 * chat room thread-safe, so one handler serves every loop.
 */
final class WebSocketServerHandler implements EventHandler {

    private final WebSocketHandshake handshake;
    private final WebSocketListener echo = new EchoEndpoint();
    private final ChatRoom chat;
    private final byte[] page;
    private final Duration requestTimeout;

    WebSocketServerHandler(WebSocketHandshake handshake, ChatRoom chat) {
        this(handshake, chat, Duration.ofMillis(WebSocketExample.DEFAULT_REQUEST_TIMEOUT_MILLIS));
    }

    /**
     * @param requestTimeout how long a connection may speak HTTP before it upgrades (a slow or
     *                       silent client, or a keep-alive connection after the page): then it is
     *                       closed, so a slowloris cannot hold connections open forever
     */
    WebSocketServerHandler(WebSocketHandshake handshake, ChatRoom chat, Duration requestTimeout) {
        this.handshake = handshake;
        this.chat = chat;
        this.page = pageResponse();
        this.requestTimeout = requestTimeout;
    }

    @Override
    public Action onOpen(Conn conn) {
        if (!requestTimeout.isZero()) {
            conn.eventLoop().schedule(() -> {
                if (conn.isOpen() && conn.context() == null) {
                    conn.close(); // still HTTP after requestTimeout: the upgrade never came
                }
            }, requestTimeout);
        }
        return Action.NONE;
    }

    /** The chat room, for tests. */
    ChatRoom chat() {
        return chat;
    }

    @Override
    public Action onTraffic(Conn conn) {
        WebSocketSession session = conn.context();
        while (session == null && conn.isOpen()) {
            HttpUpgradeRequest request;
            try {
                request = HttpUpgradeRequest.read(conn, handshake.maxHeadBytes());
            } catch (HttpRequestException e) {
                WebSocketHandshake.reject(conn, e.status(), e.getMessage());
                return Action.NONE;
            }
            if (request == null) {
                return Action.NONE;
            }
            session = route(conn, request);
        }
        if (session != null) {
            session.onTraffic();
        }
        return Action.NONE;
    }

    /** Answers one request; the new session if it upgraded, else {@code null}. */
    private WebSocketSession route(Conn conn, HttpUpgradeRequest request) {
        String path = request.path();
        if (request.isWebSocketUpgrade()) {
            WebSocketListener endpoint = path.equals("/echo") ? echo : path.equals("/chat") ? chat : null;
            if (endpoint == null) {
                WebSocketHandshake.reject(conn, 404, "no WebSocket endpoint at " + path + " (try /echo or /chat)");
                return null;
            }
            WebSocketSession session = handshake.upgrade(conn, request, endpoint);
            conn.context(session);
            return session;
        }
        if (request.header("content-length") != null || request.header("transfer-encoding") != null) {
            WebSocketHandshake.reject(conn, 400, "this server takes no request bodies");
        } else if (!path.equals("/") && !path.equals("/index.html")) {
            WebSocketHandshake.reject(conn, 404, "not found: " + path);
        } else if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            WebSocketHandshake.reject(conn, 405, "GET the page, or upgrade /echo or /chat");
        } else {
            conn.write(page, 0, request.method().equals("HEAD") ? headLength(page) : page.length);
            if (request.minorVersion() == 0 || request.hasToken("connection", "close")) {
                conn.close();
            }
        }
        return null;
    }

    @Override
    public Action onClose(Conn conn, Throwable cause) {
        WebSocketSession session = conn.context();
        if (session != null) {
            session.onConnectionClosed(cause);
        }
        return Action.NONE;
    }

    private static byte[] pageResponse() {
        byte[] body;
        try (InputStream in = WebSocketServerHandler.class.getResourceAsStream("index.html")) {
            if (in == null) {
                throw new IllegalStateException("index.html missing from the jar, next to " + WebSocketServerHandler.class);
            }
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private static int headLength(byte[] response) {
        for (int i = 0; i + 3 < response.length; i++) {
            if (response[i] == '\r' && response[i + 1] == '\n' && response[i + 2] == '\r' && response[i + 3] == '\n') {
                return i + 4;
            }
        }
        return response.length;
    }
}
