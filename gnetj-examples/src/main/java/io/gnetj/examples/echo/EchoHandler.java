package io.gnetj.examples.echo;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;

/**
 * Writes back whatever arrives. Allocation-free: the inbound view is copied straight into the
 * connection's outbound buffer, and all bytes are consumed so nothing stays buffered.
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
