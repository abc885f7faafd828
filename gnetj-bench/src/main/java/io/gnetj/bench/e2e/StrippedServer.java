package io.gnetj.bench.e2e;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import io.gnetj.Transport;
import java.nio.ByteBuffer;

/**
 * gnetj's side of the stripped pair: answers each {@code \r\n\r\n} with {@link CannedResponse},
 * written per request, with the engine's default options (bar the loop count).
 *
 * <p>Threading: the handler is stateless and shared by every loop. A request cut by a read stays
 * unconsumed and is scanned again from its start when more bytes arrive.
 */
final class StrippedServer implements EventHandler {

    private StrippedServer() {
    }

    static ServerMain.Running start(int port, int loops, Transport transport) throws Exception {
        Engine engine = Gnet.start(new StrippedServer(), "tcp://127.0.0.1:" + port,
                Options.builder().numEventLoops(loops).transport(transport).build());
        return engine::stop;
    }

    @Override
    public Action onTraffic(Conn conn) {
        ByteBuffer in = conn.peek(-1);
        int consumed = requestsEnd(in, conn);
        conn.discard(consumed);
        return Action.NONE;
    }

    /** Answers every complete request in {@code in}; returns the bytes they span. */
    private static int requestsEnd(ByteBuffer in, Conn conn) {
        int start = in.position();
        int end = in.limit();
        int consumedTo = start;
        int state = 0; // bytes of "\r\n\r\n" matched so far
        for (int i = start; i < end; i++) {
            byte b = in.get(i);
            if (b == '\r') {
                state = state == 2 ? 3 : 1;
            } else if (b == '\n' && (state == 1 || state == 3)) {
                if (state == 3) {
                    conn.write(CannedResponse.BYTES);
                    consumedTo = i + 1;
                    state = 0;
                } else {
                    state = 2;
                }
            } else {
                state = 0;
            }
        }
        return consumedTo - start;
    }
}
