package io.gnetj;

/** The connection was closed before (or while) an operation could run. */
public final class ConnectionClosedException extends GnetException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message.
     *
     * @param message what happened, for people
     */
    public ConnectionClosedException(String message) {
        super(message);
    }
}
