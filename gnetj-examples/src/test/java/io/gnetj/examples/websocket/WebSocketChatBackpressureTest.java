package io.gnetj.examples.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Engine;
import io.gnetj.Gnet;
import io.gnetj.Options;
import io.gnetj.codec.websocket.Opcodes;
import io.gnetj.codec.websocket.WebSocketHandshake;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A chat member that never reads is dropped once its queue passes the room's lag limit, while a
 * member that reads gets every message, and no member's queue grows much past the limit.
 */
class WebSocketChatBackpressureTest {

    private static final int MAX_LAG = 256 * 1024;
    private static final int MESSAGE = 32 * 1024;
    private static final int MESSAGES = 600; // about 19 MiB: far more than the kernel buffers of the slow member

    @Test
    void slowReaderIsDroppedAndFastReaderGetsEverything() throws Exception {
        ChatRoom room = new ChatRoom(MAX_LAG);
        WebSocketServerHandler handler = new WebSocketServerHandler(WebSocketHandshake.builder().build(), room);
        Engine engine = Gnet.start(handler, "tcp://127.0.0.1:0", Options.builder().numEventLoops(2).build());
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            int port = ((InetSocketAddress) engine.addresses().get(0)).getPort();
            try (RawWebSocket slow = RawWebSocket.connect(port, "/chat", 4096);
                 RawWebSocket fast = RawWebSocket.connect(port, "/chat", 0)) {
                Future<Integer> received = reader.submit(() -> {
                    int n = 0;
                    while (n < MESSAGES) {
                        RawWebSocket.Frame f = fast.read();
                        assertThat(f.opcode()).isEqualTo(Opcodes.BINARY);
                        assertThat(f.payload()).hasSize(MESSAGE);
                        assertThat(f.payload()[0]).isEqualTo((byte) n);
                        n++;
                    }
                    return n;
                });
                byte[] message = new byte[MESSAGE];
                for (int i = 0; i < MESSAGES; i++) {
                    message[0] = (byte) i;
                    fast.send(Opcodes.BINARY, message);
                }
                assertThat(received.get(60, TimeUnit.SECONDS)).as("the reading member got every message").isEqualTo(MESSAGES);
                assertThat(room.awaitDropped(1, 30_000)).as("the slow member was dropped").isTrue();
                assertThat(room.size()).isEqualTo(1);
                // the slow member's socket ends: what it had been sent, then end of stream (or a reset)
                long slowGot = slow.drainToEnd();
                assertThat(slowGot).as("the slow member got only a part").isLessThan((long) MESSAGES * MESSAGE);
                assertThat(room.peakQueued()).as("most bytes ever queued for one member")
                        .isLessThanOrEqualTo(MAX_LAG + 2L * (MESSAGE + 10));
            }
        } finally {
            reader.shutdownNow();
            engine.stop();
        }
    }
}
