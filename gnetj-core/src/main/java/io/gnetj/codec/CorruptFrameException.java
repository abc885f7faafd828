package io.gnetj.codec;

import io.gnetj.GnetException;

/**
 * The inbound bytes cannot be framed: a frame is longer than its decoder allows, or a length
 * field holds an impossible length. Thrown by a {@link FrameDecoder}; thrown out of
 * {@link io.gnetj.EventHandler#onTraffic}, it makes the engine close the connection with this
 * exception as the cause given to {@link io.gnetj.EventHandler#onClose}. The stream cannot be
 * resynchronised, so closing is the only sound reaction.
 */
public class CorruptFrameException extends GnetException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message.
     *
     * @param message what was wrong and what the limit is
     */
    public CorruptFrameException(String message) {
        super(message);
    }
}
