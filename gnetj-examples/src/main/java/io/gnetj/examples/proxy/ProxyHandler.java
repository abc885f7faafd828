package io.gnetj.examples.proxy;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import java.util.Objects;

/**
 * A TCP relay: every accepted (client) connection gets its own upstream connection, dialed on the
 * client's event loop, and every byte either side sends is written to the other.
 *
 * <h2>A pair's life</h2>
 * <ol>
 *   <li>{@code onOpen} of an accepted connection: reading from it is paused (bytes the client sends
 *       early wait in the kernel) and the upstream is dialed with
 *       {@link io.gnetj.EventLoop#dial} on the client's own loop, the pair's {@link Relay} as its
 *       context. A failed dial closes the client with the dial's cause, logged once.
 *   <li>{@code onOpen} of the upstream connection (its context is the {@link Relay}): the pair is
 *       complete and the client's reading resumes; a client that left meanwhile closes it.
 *   <li>{@code onTraffic}: the inbound bytes are written to the peer as they are, with a plain
 *       {@link Conn#write} (the same thread owns both connections).
 *   <li>{@code onWritabilityChanged}: a connection whose queue passed the high-water mark pauses
 *       reading from its peer, and resumes it once drained to the low one. The queue towards a
 *       slow reader thus stays near the mark, and TCP flow control holds back the fast sender.
 *   <li>{@code onInputClosed} (the engine runs with {@code halfClose}): a FIN from one side is
 *       passed on to the other with {@link Conn#shutdownOutput()} after the bytes before it; the
 *       other direction keeps flowing. With both directions ended the engine closes the
 *       connections.
 *   <li>{@code onClose}: the peer is closed too, gracefully ({@link Conn#close()} sends what it
 *       has queued first).
 * </ol>
 *
 * <p>Threading: one instance serves every loop of the engine. A pair lives on one loop (the
 * upstream is dialed onto the client's), so its {@link Relay} is touched by that loop's thread
 * only and needs no synchronization; the handler itself holds nothing mutable.
 */
public final class ProxyHandler implements EventHandler {

    private static final System.Logger LOG = System.getLogger(ProxyHandler.class.getName());

    private final String upstream;

    /**
     * @param upstream the address every client is relayed to, in the engine's syntax
     *                 ({@code tcp://127.0.0.1:6379}); resolve host names beforehand (see
     *                 {@link ProxyExample#resolveUpstream}), since a dial parses it on the loop
     */
    public ProxyHandler(String upstream) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
    }

    /** The address clients are relayed to. */
    public String upstream() {
        return upstream;
    }

    @Override
    public Action onOpen(Conn conn) {
        Object context = conn.context();
        if (context instanceof Relay) {
            return upstreamOpened(conn, (Relay) context);
        }
        Relay relay = new Relay(conn);
        conn.context(relay);
        conn.pauseReading(); // until there is somewhere to send the bytes
        conn.eventLoop().dial(upstream, relay).whenComplete((upstreamConn, failure) -> {
            if (failure != null) {
                dialFailed(conn, failure);
            }
        });
        return Action.NONE;
    }

    private static Action upstreamOpened(Conn upstreamConn, Relay relay) {
        relay.upstream = upstreamConn;
        if (!relay.client.isOpen()) {
            return Action.CLOSE; // the client left while we dialed
        }
        relay.client.resumeReading();
        return Action.NONE;
    }

    private void dialFailed(Conn client, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (client.isOpen()) {
            LOG.log(System.Logger.Level.WARNING, "proxy: closing the client " + client.remoteAddress()
                    + ": the upstream " + upstream + " cannot be reached (" + cause.getMessage() + ")");
        }
        client.abort(cause); // nothing is queued to it yet: a close that carries the cause
    }

    @Override
    public Action onTraffic(Conn conn) {
        Relay relay = conn.context();
        Conn peer = relay.peerOf(conn);
        if (peer == null || !peer.isOpen()) {
            conn.discard(-1); // the pair is ending; its onClose closes this side too
            return Action.CLOSE;
        }
        peer.write(conn.next(-1));
        return Action.NONE;
    }

    @Override
    public Action onWritabilityChanged(Conn conn, boolean writable) {
        Relay relay = conn.context();
        Conn peer = relay.peerOf(conn);
        if (peer != null) {
            if (writable) {
                peer.resumeReading();
            } else {
                peer.pauseReading();
            }
        }
        return Action.NONE;
    }

    @Override
    public Action onInputClosed(Conn conn) {
        Relay relay = conn.context();
        Conn peer = relay.peerOf(conn);
        if (peer == null || !peer.isOpen()) {
            return Action.CLOSE;
        }
        peer.shutdownOutput(); // after the bytes already relayed; this conn still carries the other way
        return Action.NONE;
    }

    @Override
    public Action onClose(Conn conn, Throwable cause) {
        Relay relay = conn.context();
        if (relay == null) {
            return Action.NONE;
        }
        if (cause != null && LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "proxy: " + relay.sideOf(conn) + " connection " + conn.remoteAddress()
                    + " closed: " + cause);
        }
        Conn peer = relay.peerOf(conn);
        if (peer != null) {
            peer.close(); // graceful: what is queued to it still goes out
        }
        return Action.NONE;
    }

    /**
     * One client connection and the upstream connection dialed for it: the context of both, so
     * each finds its peer.
     *
     * <p>Threading: the pair's event loop thread only.
     */
    static final class Relay {
        final Conn client;
        /** {@code null} until the upstream connection opened. */
        Conn upstream;

        Relay(Conn client) {
            this.client = client;
        }

        /** The other connection of the pair, or {@code null} if the upstream is not connected yet. */
        Conn peerOf(Conn conn) {
            return conn == client ? upstream : client;
        }

        String sideOf(Conn conn) {
            return conn == client ? "client" : "upstream";
        }
    }
}
