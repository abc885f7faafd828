package io.gnetj.examples.websocket;

import io.gnetj.EventHandler;
import io.gnetj.codec.websocket.WebSocketHandshake;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code websocket}: a page at {@code /} whose script opens a WebSocket back to the server, an echo
 * endpoint at {@code /echo} and a chat room at {@code /chat}.
 *
 * <p>Threading: configuration only; the handler it makes runs on the engine's loops.
 */
public final class WebSocketExample extends ServerExample {

    /** Origins allowed to open a WebSocket; empty: all. */
    public static final Flag ORIGIN = Flag.optional("origin", "ORIGINS",
            "comma-separated Origins allowed to open a WebSocket (e.g. http://localhost:8081); default all");
    /** Largest message accepted (1009 past it). */
    public static final Flag MAX_MESSAGE = Flag.size("max-message", "largest WebSocket message accepted (1009 past it)",
            "1m", 125, 256L * 1024 * 1024);
    /** Default of {@link #REQUEST_TIMEOUT_MS}. */
    static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 10_000;
    /** How long a connection may speak HTTP before upgrading; then it is closed. */
    public static final Flag REQUEST_TIMEOUT_MS = Flag.integer("request-timeout-ms",
            "ms a connection may take from its start to its WebSocket upgrade (closed past it; 0: no limit)",
            DEFAULT_REQUEST_TIMEOUT_MILLIS, 0, Integer.MAX_VALUE);
    /** Bytes a chat member may lag behind before it is dropped. */
    public static final Flag CHAT_MAX_LAG = Flag.size("chat-max-lag",
            "bytes queued for a chat member before it is dropped as a slow reader", "1m", 1024, 1L << 30);

    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public String description() {
        return "WebSocket server: a page at /, echo at /echo, a chat room at /chat (slow readers dropped)";
    }

    /** 8081: next to the http example's 8080, so both run side by side. */
    @Override
    protected int defaultPort() {
        return 8081;
    }

    @Override
    protected List<Flag> ownFlags() {
        return List.of(ORIGIN, MAX_MESSAGE, CHAT_MAX_LAG, REQUEST_TIMEOUT_MS);
    }

    @Override
    protected EventHandler handler(Flags flags) {
        int maxMessage = Math.toIntExact(flags.getLong(MAX_MESSAGE.name()));
        WebSocketHandshake handshake = WebSocketHandshake.builder()
                .originPolicy(originPolicy(flags.getString(ORIGIN.name())))
                .maxFramePayload(maxMessage)
                .maxMessageSize(maxMessage)
                .build();
        return new WebSocketServerHandler(handshake, new ChatRoom(flags.getLong(CHAT_MAX_LAG.name())),
                java.time.Duration.ofMillis(flags.getLong(REQUEST_TIMEOUT_MS.name())));
    }

    /** Every origin for an empty list; else exactly the ones listed (a client without Origin is refused). */
    static Predicate<String> originPolicy(String list) {
        if (list.isBlank()) {
            return origin -> true;
        }
        Set<String> allowed = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        return allowed::contains;
    }
}
