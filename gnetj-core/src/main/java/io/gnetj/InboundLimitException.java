package io.gnetj;

/**
 * The cause given to {@link EventHandler#onClose} when a connection buffered more inbound bytes
 * than {@link Options#maxInboundBuffered()} because its handler did not consume them.
 */
public final class InboundLimitException extends GnetException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message.
     *
     * @param message what happened, for people
     */
    public InboundLimitException(String message) {
        super(message);
    }
}
