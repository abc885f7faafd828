package io.gnetj;

/**
 * The cause given to {@link EventHandler#onClose} when a connection saw no reads or writes for
 * {@link Options#idleTimeout()}.
 */
public final class IdleTimeoutException extends GnetException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message.
     *
     * @param message what happened, for people
     */
    public IdleTimeoutException(String message) {
        super(message);
    }
}
