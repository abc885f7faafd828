package io.gnetj.internal;

import io.gnetj.Conn;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;

/**
 * A dial (or enroll) in progress: the address asked for and the future its caller waits on,
 * completed once {@code onOpen} ran or failed with why not. Passive: {@link TcpConn} says when.
 * Only dialed connections carry one, and only until they open: an accepted connection has none.
 *
 * <p>Threading: the connection's loop thread.
 */
final class PendingDial {

    private final CompletableFuture<Conn> future;
    private final String address;

    PendingDial(CompletableFuture<Conn> future, String address) {
        this.future = future;
        this.address = address;
    }

    /** The address as the caller gave it. */
    String address() {
        return address;
    }

    /** {@code onOpen} ran: the dial succeeded, whatever the handler did next. */
    void opened(Conn conn) {
        future.complete(conn);
    }

    /** The connection closed before it opened: {@code cause}, or (without one) the engine stopped first. */
    void failed(Throwable cause) {
        future.completeExceptionally(cause != null ? cause
                : new ConnectException("cannot dial '" + address + "': the engine stopped first"));
    }

    /** The connect itself failed: a {@link ConnectException} naming the address. */
    ConnectException connectFailure(IOException e) {
        ConnectException failure = new ConnectException("cannot dial '" + address + "': " + e.getMessage());
        failure.initCause(e);
        return failure;
    }
}
