package io.gnetj.internal;

import io.gnetj.ConnectionClosedException;
import io.gnetj.IdleState;
import java.net.ConnectException;

/**
 * When a stream connection's time is up, and what it is told: the sweep's timeouts of each state
 * (connect, handshake, idle, close) and the engine's stop. The policy lives here; the transitions
 * it asks for are {@link TcpConn}'s ({@link TcpConn#closeNow}, {@link TcpConn#beginClose},
 * {@link TcpConn#handshakeTimedOut}), which stays the one owner of the state.
 *
 * <p>Threading: the connection's loop thread (stateless).
 */
final class ConnTimeouts {

    /** Sweep ticks without reads or writes after which a quiet open connection trims its buffers. */
    static final int TRIM_AFTER_TICKS = 2;

    private ConnTimeouts() {
    }

    /** One sweep tick: the timeout of the connection's state, or a quiet connection's trim. */
    static void sweep(TcpConn c, SweepLimits limits) {
        switch (c.state()) {
            case TcpConn.CONNECTING:
                if (c.tick() >= limits.connect()) {
                    c.closeNow(new ConnectException("cannot dial '" + c.dialedAddress() + "': no connection within"
                            + " connectTimeout " + c.options.connectTimeout()));
                }
                break;
            case TcpConn.HANDSHAKING:
                if (c.tick() >= limits.handshake()) {
                    c.handshakeTimedOut();
                }
                break;
            case TcpConn.OPEN:
                int quiet = c.tick();
                int unread = c.tickRead();
                int unwritten = c.tickWrite();
                if (quiet >= limits.idle()) {
                    c.idle(IdleState.ALL, "no reads or writes for " + c.options.idleTimeout() + " (idleTimeout)");
                } else if (unread >= limits.readIdle()) {
                    c.idle(IdleState.READ, "nothing received for " + c.options.readIdleTimeout() + " (readIdleTimeout)");
                } else if (unwritten >= limits.writeIdle()) {
                    c.idle(IdleState.WRITE, "nothing sent for " + c.options.writeIdleTimeout() + " (writeIdleTimeout)");
                } else if (quiet == TRIM_AFTER_TICKS) {
                    c.trimStores(); // quiet for a whole sweep interval: kept and oversized chunks go back
                }
                break;
            case TcpConn.CLOSING:
            case TcpConn.LINGERING:
                if (c.tick() >= limits.close()) {
                    c.closeNow(unsent(c, "the peer did not take them within closeTimeout " + c.options.closeTimeout()));
                }
                break;
            default:
                break;
        }
    }

    /** The engine is stopping: dials and handshakes fail, open connections close gracefully. */
    static void beginShutdown(TcpConn c) {
        int state = c.state();
        if (state == TcpConn.CONNECTING || state == TcpConn.HANDSHAKING) {
            c.closeNow(new ConnectionClosedException("the engine stopped before the connection to "
                    + (c.dialedAddress() != null ? c.dialedAddress() : String.valueOf(c.remoteAddress())) + " opened"));
        } else {
            c.beginClose(null, false);
        }
    }

    /**
     * The cause for closing {@code c} now: the closing cause if everything was sent (the peer just
     * never closed its side), else one that names the bytes unsent, with the closing cause as its own.
     */
    private static Throwable unsent(TcpConn c, String why) {
        int unsent = c.queued();
        if (unsent == 0) {
            return c.closingCause();
        }
        ConnectionClosedException e = new ConnectionClosedException("closed with " + unsent + " bytes unsent to "
                + c.remoteAddress() + ": " + why);
        if (c.closingCause() != null) {
            e.initCause(c.closingCause());
        }
        return e;
    }
}
