package io.gnetj;

/**
 * Told the outcome of an operation posted to a connection's event loop: {@link Conn#asyncWrite},
 * {@link Conn#wake}, {@link Conn#close(Callback)}, and the client's dial.
 *
 * <p>Threading: runs on the connection's event loop thread, exactly once per posted operation,
 * except when the loop has already ended: then it runs on the posting thread, with an error. It must
 * not block.
 */
@FunctionalInterface
public interface Callback {

    /**
     * @param conn  the connection the operation was for
     * @param error {@code null} on success, else why it failed (for example
     *              {@link ConnectionClosedException} or {@link OutboundLimitException})
     */
    void onComplete(Conn conn, Throwable error);
}
