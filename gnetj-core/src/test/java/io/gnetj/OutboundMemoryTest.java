package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A connection's outbound memory: a busy connection keeps one small ring chunk across flushes
 * (no trip to the pool per response), and gives it back once a sweep finds it quiet, while it
 * stays open. Every byte still arrives intact.
 */
class OutboundMemoryTest {

    private static final int ROUND_TRIPS = 200;
    private static final int MESSAGE = 100;

    @Test
    void aBusyConnectionKeepsOneSmallChunkAndAQuietOneGivesItBack() throws Exception {
        BufferPool pool = BufferPool.create();
        // Not TestServers.Echo: a view written back goes out straight from the read buffer and
        // needs no outbound chunk at all (WriteBackViewTest); bytes the handler owns are copied.
        Engine engine = TestServers.start(new EventHandler() {
            private final byte[] reply = new byte[MESSAGE];

            @Override
            public Action onTraffic(Conn conn) {
                while (conn.inboundBuffered() > 0) {
                    int n = conn.read(ByteBuffer.wrap(reply));
                    conn.write(reply, 0, n);
                }
                return Action.NONE;
            }
        }, Options.builder().numEventLoops(1).bufferPool(pool).build());
        try (Socket socket = TestServers.connect(engine)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] ping = new byte[MESSAGE];
            long inUseAfterFirst = -1;
            for (int i = 0; i < ROUND_TRIPS; i++) {
                Arrays.fill(ping, (byte) i);
                out.write(ping);
                assertThat(TestServers.readExactly(in, MESSAGE)).as("echo %d", i).isEqualTo(ping);
                long inUse = pool.inUseBytes();
                if (i == 0) {
                    inUseAfterFirst = inUse;
                }
                // The sweep runs at most once a second and needs a whole quiet interval before it
                // trims, so right after an echo the chunk is still here, and it is the same one.
                assertThat(inUse).as("pooled bytes held after echo %d", i)
                        .isEqualTo(inUseAfterFirst)
                        .isBetween(1L, (long) pool.sizeClassOf(MESSAGE));
            }
            TestServers.await("the quiet connection's outbound chunk to go back to the pool",
                    () -> pool.inUseBytes() == 0);
            assertThat(engine.countConnections()).as("trimming does not close the connection").isEqualTo(1);
            Arrays.fill(ping, (byte) 7);
            out.write(ping);
            assertThat(TestServers.readExactly(in, MESSAGE)).as("echo after the trim").isEqualTo(ping);
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }
}
