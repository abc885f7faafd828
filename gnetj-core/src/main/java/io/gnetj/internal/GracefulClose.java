package io.gnetj.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The bookkeeping of a {@link TcpConn} on its way through {@code CLOSING} (and {@code LINGERING})
 * to {@code CLOSED}: why it closes, what the peer did meanwhile, how long it has taken.
 *
 * <pre>
 *   CLOSING ─ queue drained ─┬─ peer quiet or done, or a cause ──────────────────────► CLOSED
 *      │                     └─ peer still sending: shutdownOutput ─► LINGERING ─ EOF ─► CLOSED
 *      └─ closeTimeout passes (sweep ticks) ─────────────────────────────────────────► CLOSED
 * </pre>
 *
 * <p>Why linger: a TCP socket closed with unread input is reset, and the kernel then drops what it
 * has not sent yet, so a pipelining client, or one that keeps talking while we close on an error,
 * would lose the tail of its reply. Reading and dropping the peer's input while the queue drains,
 * then sending our FIN and waiting for the peer's, keeps the reply whole.
 *
 * <p>Passive: it reads and drops input when told and answers questions; the connection, which
 * owns the state, the selector interest and the teardown, acts on the answers. Made when a
 * connection starts closing, so an open connection does not carry it.
 *
 * <p>Threading: the owning loop's thread only.
 */
final class GracefulClose {

    /** What {@link #drain} found. */
    static final int QUIET = 0;
    static final int EOF = 1;

    /** Reads per drain before the loop moves on (as many as a flush's writes). */
    private static final int READ_SPIN = 16;

    private final Throwable cause;
    private int ticks;
    /** The peer sent bytes after we started closing (and we dropped them). */
    private boolean peerSent;
    /** The peer has shut down its output: we read its end of stream. */
    private boolean peerDone;
    /** The close began with the peer's end of stream (not with our close). */
    private final boolean byPeer;

    /**
     * @param cause    why the connection closes, {@code null} for an orderly close
     * @param peerDone whether the peer's end of stream was already read
     */
    GracefulClose(Throwable cause, boolean peerDone) {
        this.cause = cause;
        this.peerDone = peerDone;
        this.byPeer = peerDone;
    }

    /** Whether the peer began the close: its end of stream came first (what the metrics count as "peer"). */
    boolean byPeer() {
        return byPeer;
    }

    /** Why the connection is closing, or {@code null} for an orderly close. */
    Throwable cause() {
        return cause;
    }

    /** Whether the peer's end of stream has been read (nothing more will come). */
    boolean peerDone() {
        return peerDone;
    }

    /**
     * Reads what the peer sends and drops it, into {@code sink} (the loop's discard buffer: never
     * the shared read buffer, which may hold another connection's fresh bytes when a handler
     * closes this connection from that connection's callback).
     *
     * @return {@link #EOF} once the peer's end of stream is read, else {@link #QUIET}
     */
    int drain(ReadableByteChannel channel, ByteBuffer sink) throws IOException {
        if (peerDone) {
            return EOF;
        }
        for (int i = 0; i < READ_SPIN; i++) {
            sink.clear();
            int n = channel.read(sink);
            if (n == 0) {
                return QUIET;
            }
            if (n < 0) {
                peerDone = true;
                return EOF;
            }
            peerSent = true;
        }
        return QUIET;
    }

    /**
     * Everything queued went out: whether to shut down our output and wait for the peer's end of
     * stream instead of closing now. Only an orderly close lingers, and only for a peer that kept
     * sending: a close with a cause (a handler threw, a limit, the idle timeout) is not delivering
     * a reply and closes at once, so a misbehaving peer cannot hold the connection.
     */
    boolean shouldLinger() {
        return cause == null && !peerDone && peerSent;
    }

    /** One sweep tick while closing; {@code true} once {@code limit} ticks have passed. */
    boolean tick(int limit) {
        return ++ticks >= limit;
    }
}
