package io.gnetj.examples.echo;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;

/**
 * Writes back whatever arrives: every byte on a stream (TCP, Unix), each datagram to its sender
 * on a UDP server. Allocation-free: the inbound view is copied straight into the connection's
 * outbound buffer (for UDP, sent as one datagram), and all bytes are consumed so nothing stays
 * buffered.
 *
 * <p>Threading: stateless, shared by every loop.
 */
public final class EchoHandler implements EventHandler {

    @Override
    public Action onTraffic(Conn conn) {
        conn.write(conn.next(-1));
        return Action.NONE;
    }
}
