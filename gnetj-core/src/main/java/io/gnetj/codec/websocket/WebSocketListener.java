package io.gnetj.codec.websocket;

import java.nio.ByteBuffer;

/**
 * What a WebSocket endpoint does with its connections' events; {@link WebSocketSession} calls it.
 * Only {@link #onMessage} must be written.
 *
 * <p>Threading: every method runs on the connection's event loop thread, never concurrently for
 * one session; sessions on different loops call one listener in parallel, so a listener shared by
 * all of them (a chat room) guards what they share. A callback must not block.
 *
 * <p>Buffers: a {@code payload} is a read-only view lent for the duration of the call; copy what
 * must outlive it. Handing it to {@link io.gnetj.Conn#asyncWrite} (which copies read-only
 * buffers) or to {@link WebSocketSession#sendBinary} (which copies) is safe.
 */
public interface WebSocketListener {

    /**
     * The opening handshake completed: the 101 response is queued, messages may be sent. Loop
     * thread of the session's connection.
     *
     * @param session the new session
     */
    default void onOpen(WebSocketSession session) {
    }

    /**
     * A whole message arrived: all its fragments, unmasked, inflated if compressed, and for text
     * checked to be UTF-8. Loop thread of the session's connection.
     *
     * @param session the session it arrived on
     * @param payload the message, position 0 to its end, lent until this returns
     * @param text    {@code true} for a text message (UTF-8), {@code false} for binary
     */
    void onMessage(WebSocketSession session, ByteBuffer payload, boolean text);

    /**
     * A ping arrived; the session has already queued the pong unless automatic pongs are off
     * ({@link WebSocketHandshake.Builder#autoPong}). Loop thread of the session's connection.
     *
     * @param session the session it arrived on
     * @param payload its application data (at most 125 bytes), lent until this returns
     */
    default void onPing(WebSocketSession session, ByteBuffer payload) {
    }

    /**
     * A pong arrived (solicited or not). Loop thread of the session's connection.
     *
     * @param session the session it arrived on
     * @param payload its application data (at most 125 bytes), lent until this returns
     */
    default void onPong(WebSocketSession session, ByteBuffer payload) {
    }

    /**
     * The session ended, once per session: the close handshake completed, the session failed the
     * connection (a protocol error, a limit), or the connection was lost. No message may be sent
     * any more. Loop thread of the session's connection.
     *
     * @param session the session that ended
     * @param code    the status code: the peer's (or {@link CloseCodes#NO_STATUS}) after a close
     *                handshake, the one sent when this side failed the connection, or
     *                {@link CloseCodes#ABNORMAL} when the connection closed without a Close frame
     * @param reason  the peer's reason, or what went wrong; may be empty
     */
    default void onClose(WebSocketSession session, int code, String reason) {
    }
}
