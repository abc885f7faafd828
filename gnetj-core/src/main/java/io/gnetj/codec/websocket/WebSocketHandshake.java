package io.gnetj.codec.websocket;

import io.gnetj.Conn;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The server's side of the WebSocket opening handshake (RFC 6455 section 4.2), and the settings
 * of the sessions it opens.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * WebSocketHandshake handshake = WebSocketHandshake.builder().subprotocols(List.of("chat")).build();
 * // in onTraffic, while the connection has no session yet:
 * HttpUpgradeRequest request = HttpUpgradeRequest.read(conn, handshake.maxHeadBytes());
 * if (request == null) return Action.NONE;                    // head not all here yet
 * WebSocketSession session = handshake.upgrade(conn, request, listener);
 * if (session != null) { conn.context(session); session.onTraffic(); }
 * }</pre>
 *
 * <h2>What {@link #upgrade} checks, and the answer when it fails</h2>
 * <ul>
 *   <li>400: not {@code GET}, not HTTP/1.1 or later, no {@code Host}, no {@code Upgrade: websocket},
 *       no {@code Upgrade} token in {@code Connection}, a {@code Sec-WebSocket-Key} missing,
 *       repeated or not the base64 of 16 bytes;
 *   <li>426 with {@code Sec-WebSocket-Version: 13}: any version but 13 (section 4.4);
 *   <li>403: an {@code Origin} the origin policy refuses (section 10.2; browsers send it, other
 *       clients usually do not, and the policy then sees {@code null}).
 * </ul>
 * On success it answers 101 with {@code Sec-WebSocket-Accept} (the base64 SHA-1 of the key and
 * the RFC's GUID), the subprotocol agreed (the first the client lists that the server supports;
 * none if there is no common one, and the client decides) and permessage-deflate if the client
 * offered it in a form this side honours (see {@code PerMessageDeflate}: parameters this side
 * cannot honour decline the offer, never the handshake). A refused request gets its answer and
 * the connection is closed once it is sent.
 *
 * <p>Threading: immutable; one handshake may serve every connection on every loop.
 * {@link #upgrade} and {@link #reject} run on the connection's loop thread (they write).
 */
public final class WebSocketHandshake {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final List<String> subprotocols;
    private final Predicate<String> originPolicy;
    private final boolean permessageDeflate;
    private final int maxFramePayload;
    private final int maxMessageSize;
    private final int maxHeadBytes;
    private final boolean autoPong;
    private final Duration closeTimeout;

    private WebSocketHandshake(Builder b) {
        this.subprotocols = b.subprotocols;
        this.originPolicy = b.originPolicy;
        this.permessageDeflate = b.permessageDeflate;
        this.maxFramePayload = b.maxFramePayload;
        this.maxMessageSize = b.maxMessageSize;
        this.maxHeadBytes = b.maxHeadBytes;
        this.autoPong = b.autoPong;
        this.closeTimeout = b.closeTimeout;
    }

    /** {@return a builder holding every default} Any thread. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks {@code request} and answers it: 101 and a new session whose listener has heard
     * {@link WebSocketListener#onOpen}, or an error status and a close. Loop thread of
     * {@code conn} only.
     *
     * @param conn     the connection the request came on
     * @param request  its head, read with {@link HttpUpgradeRequest#read}
     * @param listener the endpoint that will hear the session's events
     * @return the session, or {@code null} if the request was refused (its answer is queued and
     *         the connection closing)
     */
    public WebSocketSession upgrade(Conn conn, HttpUpgradeRequest request, WebSocketListener listener) {
        Objects.requireNonNull(listener, "listener");
        String problem = problem(request);
        if (problem != null) {
            reject(conn, 400, problem);
            return null;
        }
        List<String> versions = request.headers("sec-websocket-version");
        if (versions.size() != 1 || !versions.get(0).equals("13")) {
            reject(conn, 426, "only WebSocket version 13 is supported");
            return null;
        }
        if (!originPolicy.test(request.header("origin"))) {
            reject(conn, 403, "origin not allowed: " + request.header("origin"));
            return null;
        }
        String subprotocol = chooseSubprotocol(request);
        PerMessageDeflate deflate = permessageDeflate
                ? PerMessageDeflate.negotiate(request.headers("sec-websocket-extensions")) : null;
        StringBuilder response = new StringBuilder(256)
                .append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(acceptKey(request.header("sec-websocket-key"))).append("\r\n");
        if (subprotocol != null) {
            response.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
        }
        if (deflate != null) {
            response.append("Sec-WebSocket-Extensions: ").append(deflate.response()).append("\r\n");
        }
        conn.write(response.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        WebSocketSession session = new WebSocketSession(conn, listener, deflate, request.path(), subprotocol, this);
        listener.onOpen(session);
        return session;
    }

    /** What makes {@code r} no valid opening handshake (apart from version and origin), or null. */
    private static String problem(HttpUpgradeRequest r) {
        if (!r.method().equals("GET")) {
            return "the opening handshake must be a GET";
        }
        if (r.minorVersion() < 1) {
            return "the opening handshake needs HTTP/1.1";
        }
        if (r.headers("host").size() != 1) {
            return "exactly one Host header is required";
        }
        if (!r.isWebSocketUpgrade()) {
            return "Upgrade: websocket is required";
        }
        if (!r.hasToken("connection", "upgrade")) {
            return "Connection: Upgrade is required";
        }
        List<String> keys = r.headers("sec-websocket-key");
        if (keys.size() != 1 || !isNonce(keys.get(0))) {
            return "Sec-WebSocket-Key must be the base64 of 16 bytes";
        }
        return null;
    }

    private static boolean isNonce(String key) {
        if (key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private String chooseSubprotocol(HttpUpgradeRequest request) {
        for (String header : request.headers("sec-websocket-protocol")) {
            for (String offered : header.split(",")) {
                String name = offered.trim();
                if (subprotocols.contains(name)) {
                    return name;
                }
            }
        }
        return null;
    }

    /**
     * {@return the {@code Sec-WebSocket-Accept} value for a client's {@code Sec-WebSocket-Key}}
     * The base64 of the SHA-1 of the key followed by the RFC's GUID. Any thread.
     *
     * @param key the client's key, as sent
     */
    public static String acceptKey(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /**
     * Answers a request with {@code status} and a short text body, then closes the connection once
     * it is sent. A 426 carries {@code Sec-WebSocket-Version: 13}. For refused handshakes, malformed
     * requests ({@link HttpRequestException#status()}) and plain requests a server does not serve
     * (404). Loop thread of {@code conn} only.
     *
     * @param conn    the connection
     * @param status  the HTTP status
     * @param message the body, one line of text
     */
    public static void reject(Conn conn, int status, String message) {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reasonPhrase(status) + "\r\n"
                + (status == 426 ? "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n" : "")
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        conn.write(head.getBytes(StandardCharsets.ISO_8859_1));
        conn.write(body);
        conn.close();
    }

    private static String reasonPhrase(int status) {
        switch (status) {
            case 400: return "Bad Request";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 426: return "Upgrade Required";
            case 431: return "Request Header Fields Too Large";
            default: return "Error";
        }
    }

    /** {@return the subprotocols this server speaks, in no order of preference} Any thread. */
    public List<String> subprotocols() {
        return subprotocols;
    }

    /** {@return whether permessage-deflate is agreed when a client offers it} Any thread. */
    public boolean permessageDeflate() {
        return permessageDeflate;
    }

    /** {@return the largest payload of one frame a session accepts} Any thread. */
    public int maxFramePayload() {
        return maxFramePayload;
    }

    /** {@return the largest message a session accepts, all fragments, inflated} Any thread. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** {@return the longest request head accepted, for {@link HttpUpgradeRequest#read}} Any thread. */
    public int maxHeadBytes() {
        return maxHeadBytes;
    }

    /** {@return whether sessions answer pings themselves} Any thread. */
    public boolean autoPong() {
        return autoPong;
    }

    /** {@return how long a session waits for the client's Close after sending its own} Any thread. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /**
     * Configures a {@link WebSocketHandshake}; every default lives in this class's field
     * initialisers.
     *
     * <p>Threading: not thread-safe; build on one thread, then share the handshake.
     */
    public static final class Builder {
        private List<String> subprotocols = List.of();
        private Predicate<String> originPolicy = origin -> true;
        private boolean permessageDeflate = true;
        private int maxFramePayload = 1024 * 1024;
        private int maxMessageSize = 1024 * 1024;
        private int maxHeadBytes = 8192;
        private boolean autoPong = true;
        private Duration closeTimeout = Duration.ofSeconds(5);

        private Builder() {
        }

        /**
         * Sets the subprotocols the server speaks; default none. One thread at a time.
         *
         * @param names subprotocol names, e.g. "chat"
         * @return this builder
         */
        public Builder subprotocols(List<String> names) {
            this.subprotocols = List.copyOf(names);
            return this;
        }

        /**
         * Sets which {@code Origin} values are accepted; the predicate sees {@code null} when the
         * client sent none. Default: every origin. One thread at a time; the predicate itself is
         * called on loop threads, so it must be thread-safe.
         *
         * @param allowed true for an origin to accept
         * @return this builder
         */
        public Builder originPolicy(Predicate<String> allowed) {
            this.originPolicy = Objects.requireNonNull(allowed, "originPolicy");
            return this;
        }

        /**
         * Sets whether permessage-deflate is agreed when a client offers it; default on. One
         * thread at a time.
         *
         * @param on whether to agree to it
         * @return this builder
         */
        public Builder permessageDeflate(boolean on) {
            this.permessageDeflate = on;
            return this;
        }

        /**
         * Sets the largest payload of one frame; default 1 MiB. Past it a session closes with
         * 1009. One thread at a time.
         *
         * @param bytes at least 125
         * @return this builder
         */
        public Builder maxFramePayload(int bytes) {
            this.maxFramePayload = atLeast(bytes, Opcodes.MAX_CONTROL_PAYLOAD, "maxFramePayload");
            return this;
        }

        /**
         * Sets the largest message (all fragments; inflated, if compressed); default 1 MiB. Past
         * it a session closes with 1009. One thread at a time.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = atLeast(bytes, 1, "maxMessageSize");
            return this;
        }

        /**
         * Sets the longest request head; default 8 KiB. One thread at a time.
         *
         * @param bytes at least 64
         * @return this builder
         */
        public Builder maxHeadBytes(int bytes) {
            this.maxHeadBytes = atLeast(bytes, 64, "maxHeadBytes");
            return this;
        }

        /**
         * Sets whether sessions answer each ping with a pong themselves; default on. One thread
         * at a time.
         *
         * @param on whether to answer pings
         * @return this builder
         */
        public Builder autoPong(boolean on) {
            this.autoPong = on;
            return this;
        }

        /**
         * Sets how long a session that sent Close waits for the client's before closing the TCP
         * connection; default 5 s. One thread at a time.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder closeTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("closeTimeout must be positive, was " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /** {@return a new handshake} One thread at a time. */
        public WebSocketHandshake build() {
            if (maxMessageSize > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("maxMessageSize " + maxMessageSize + " is too large");
            }
            return new WebSocketHandshake(this);
        }

        private static int atLeast(int value, int min, String name) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
            }
            return value;
        }
    }
}
