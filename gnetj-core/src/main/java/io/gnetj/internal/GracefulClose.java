package io.gnetj.internal;

import io.gnetj.ConnectionClosedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * How a {@link TcpConn} gets from {@code CLOSING} to {@code CLOSED} without losing the tail of its
 * reply: queued bytes still go out, what the peer sends meanwhile is read and dropped, and a peer
 * still talking once everything is sent gets our FIN and a wait for its EOF, all within the close
 * timeout.
 *
 * <pre>
 *   closeGracefully ─► CLOSING ─ queue drained ─► finish ─┬─ peer quiet or done, or a cause ──► closeNow
 *                         │                               └─ peer still sending: shutdownOutput,
 *                         │                                  linger, drop input until EOF ───► closeNow
 *                         └─ closeTimeout passes (sweep ticks) ──────────────────────────────► closeNow
 * </pre>
 *
 * <p>Made when the connection first needs it (its peer's EOF, or the close itself), so an open
 * connection does not carry it. The connection keeps its state, the selector interest and the teardown
 * ({@link TcpConn#closeNow}); it calls {@link #begin} as it turns {@code CLOSING}, {@link #drain()}
 * when the socket is readable while closing, {@link #finish()} once its outbound queue is empty, and
 * {@link #tick} on each sweep while closing.
 *
 * <p>Threading: the owning loop's thread only.
 */
final class GracefulClose {

    /** Reads per drain before the loop moves on (as many as a flush's writes). */
    private static final int READ_SPIN = 16;

    private final TcpConn conn;
    private final OutboundQueue outbound;

    private Throwable closeCause;
    private int closeTicks;
    /** Closing: the peer sent bytes after we started closing (and we dropped them). */
    private boolean peerSentWhileClosing;
    /** The peer has shut down its output (we read EOF); may be learnt while still open. */
    private boolean peerDone;
    /** Closing: our output is shut down and we wait for the peer's EOF (see {@link #finish()}). */
    private boolean lingering;

    GracefulClose(TcpConn conn, OutboundQueue outbound) {
        this.conn = conn;
        this.outbound = outbound;
    }

    /** The peer has shut down its output: we read its end of stream. */
    void peerDone() {
        peerDone = true;
    }

    /** Why the connection is closing, or {@code null} for an orderly close. */
    Throwable cause() {
        return closeCause;
    }

    /**
     * The connection just turned {@code CLOSING}: lets queued bytes go out, then closes. With
     * {@code tls}, {@code close_notify} must go out too, even with nothing queued.
     */
    void begin(Throwable cause, boolean tls) {
        closeCause = cause;
        closeTicks = 0;
        if (conn.options().closeTimeout().isZero()) {
            conn.closeNow(cause);
            return;
        }
        if (outbound.isEmpty() && !tls) {
            finish();
            return;
        }
        // Keep reading while the queue drains (with TLS: and close_notify goes out), dropping what
        // comes: see drain.
        conn.setInterest(peerDone ? SelectionKey.OP_WRITE : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        conn.flushOutbound();
    }

    /**
     * Closing, and everything queued has been handed to the kernel. If the peer is still sending,
     * closing now would throw away the tail of our reply: a TCP socket closed with unread input is
     * reset, and the kernel drops what it has not sent yet (a pipelining client, or one that keeps
     * talking while we close on an error, loses the reply). So then shut down our output instead
     * (the FIN follows the last byte) and wait, reading and dropping, for the peer's EOF, at most
     * until closeTimeout. A quiet peer, the usual case, is closed at once, and so is a close with
     * a cause.
     */
    void finish() {
        if (lingering) {
            return;
        }
        if (!peerDone && !drain()) {
            return; // closed while draining
        }
        if (peerDone || !peerSentWhileClosing || closeCause != null) {
            // A close with a cause (a handler threw, a limit, the idle timeout) is not delivering
            // a reply: close at once rather than let a misbehaving peer hold the connection.
            conn.closeNow(closeCause);
            return;
        }
        try {
            conn.socketChannel().shutdownOutput();
        } catch (IOException e) {
            conn.closeNow(closeCause);
            return;
        }
        lingering = true;
        conn.setInterest(SelectionKey.OP_READ);
    }

    /**
     * Closing: reads and drops what the peer sends (see {@link #finish()}), into the loop's
     * discard buffer, never the shared read buffer, which may hold another connection's fresh
     * bytes when a handler closes this connection from that connection's callback.
     *
     * @return {@code false} if the connection was closed here
     */
    boolean drain() {
        ByteBuffer sink = conn.loop.discardBuffer();
        SocketChannel channel = conn.socketChannel();
        try {
            for (int i = 0; i < READ_SPIN; i++) {
                sink.clear();
                int n = channel.read(sink);
                if (n == 0) {
                    return true;
                }
                if (n < 0) {
                    peerDone = true;
                    if (lingering || outbound.queued() == 0) {
                        conn.closeNow(closeCause);
                        return false;
                    }
                    conn.setInterest(conn.interestOps() & ~SelectionKey.OP_READ); // EOF stays readable: stop asking
                    return true;
                }
                peerSentWhileClosing = true;
            }
            return true;
        } catch (IOException e) {
            conn.closeNow(closeCause != null ? closeCause : e);
            return false;
        }
    }

    /** One sweep tick while closing: close anyway once the close timeout has passed. */
    void tick(int closeTicksLimit) {
        if (++closeTicks >= closeTicksLimit && lingering) {
            conn.closeNow(closeCause); // everything was sent; the peer just never closed its side
        } else if (closeTicks >= closeTicksLimit) {
            conn.closeNow(new ConnectionClosedException("closed with " + outbound.queued()
                    + " bytes unsent: the peer did not take them within closeTimeout " + conn.options().closeTimeout()));
        }
    }
}
