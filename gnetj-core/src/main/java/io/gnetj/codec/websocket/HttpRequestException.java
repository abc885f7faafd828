package io.gnetj.codec.websocket;

import io.gnetj.codec.CorruptFrameException;

/**
 * A request head that cannot be an HTTP/1.1 request: {@link #status()} is the response status
 * that says why (400, or 431 for a head over the limit). Thrown by {@link HttpUpgradeRequest#read};
 * answer with {@link WebSocketHandshake#reject} (or, thrown out of
 * {@link io.gnetj.EventHandler#onTraffic}, it closes the connection without an answer).
 *
 * <p>Threading: immutable once thrown; any thread.
 */
public final class HttpRequestException extends CorruptFrameException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status to answer with. */
    private final int status;

    /**
     * A malformed request.
     *
     * @param status  the HTTP status to answer with
     * @param message what was wrong
     */
    public HttpRequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** {@return the HTTP status to answer with} Any thread. */
    public int status() {
        return status;
    }
}
