package io.gnetj;

/**
 * Told the outcome of an operation posted to a connection's event loop: {@link Conn#asyncWrite},
 * {@link Conn#wake}, {@link Conn#close(Callback)}, {@link Conn#sendFile}.
 *
 * <p>Threading: runs exactly once per operation, on the connection's event loop thread, and never
 * nested inside a handler callback of the thread that posted it (on the loop thread too: it runs as
 * a task, or, for a close made inside the connection's own callback, once that callback returned
 * and the connection closed). One exception: when the loop has already ended, the operation
 * fails with a {@link ConnectionClosedException} (a close succeeds: the ending loop closed the
 * connection) and the callback runs on whichever thread found it undelivered: the thread that
 * posted it, or another thread posting to the same ended loop at the same moment (which then runs
 * every undelivered callback it found, in order). It must not block, and must not assume which
 * thread runs it after the end.
 */
@FunctionalInterface
public interface Callback {

    /**
     * Called once, when the operation has completed or failed. Runs on the connection's loop
     * thread, except after the loop ended (see the class comment).
     *
     * @param conn  the connection the operation was for
     * @param error {@code null} on success, else why it failed (for example
     *              {@link ConnectionClosedException} or {@link OutboundLimitException})
     */
    void onComplete(Conn conn, Throwable error);
}
