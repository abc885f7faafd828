package com.example.echo;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;

/** The README's echo handler. */
public final class EchoHandler implements EventHandler {
    @Override
    public Action onTraffic(Conn conn) {
        conn.write(conn.next(-1)); // a view of the bytes read, no copy; write copies them out
        return Action.NONE;
    }
}
