package io.gnetj;

/**
 * Base of gnetj's own failures. Unchecked: they reach handlers as the cause of
 * {@link EventHandler#onClose} or as a {@link Callback} error, and are thrown by calls that
 * cannot proceed.
 */
public class GnetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message.
     *
     * @param message what happened, for people
     */
    public GnetException(String message) {
        super(message);
    }

    /**
     * With a message and cause.
     *
     * @param message what happened, for people
     * @param cause the failure behind it, or null
     */
    public GnetException(String message, Throwable cause) {
        super(message, cause);
    }
}
