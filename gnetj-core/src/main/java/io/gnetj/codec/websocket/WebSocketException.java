package io.gnetj.codec.websocket;

import io.gnetj.codec.CorruptFrameException;

/**
 * The peer broke RFC 6455 (or RFC 7692) or one of the decoder's limits: the connection must be
 * failed with {@link #closeCode()} ({@link CloseCodes#PROTOCOL_ERROR},
 * {@link CloseCodes#INVALID_PAYLOAD} or {@link CloseCodes#MESSAGE_TOO_BIG}). Thrown by
 * {@link WebSocketFrameDecoder}; {@link WebSocketSession} catches it, sends a Close frame with the
 * code and closes the connection. Thrown out of {@link io.gnetj.EventHandler#onTraffic}, as any
 * {@link CorruptFrameException}, it closes the connection without a Close frame.
 *
 * <p>Threading: immutable once thrown; any thread.
 */
public final class WebSocketException extends CorruptFrameException {
    private static final long serialVersionUID = 1L;

    /** The status code the Close frame carries. */
    private final int closeCode;

    /**
     * A failure that closes with {@code closeCode}.
     *
     * @param closeCode the status code the Close frame carries
     * @param message   what was wrong, and the limit if one was passed
     */
    public WebSocketException(int closeCode, String message) {
        super(message);
        this.closeCode = closeCode;
    }

    /** {@return the status code the Close frame carries} Any thread. */
    public int closeCode() {
        return closeCode;
    }
}
