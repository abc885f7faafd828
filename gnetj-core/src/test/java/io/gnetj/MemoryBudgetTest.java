package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The engine's memory budget: clients that each send a big frame and never finish it cannot make
 * the connections together hold more than {@link Options#memoryBudget()}: reading stops on the
 * biggest holders, and those that stay over are closed with {@link MemoryBudgetException}, before
 * direct memory runs out. The engine carries on serving.
 */
class MemoryBudgetTest {

    /** Answers "ok" to every complete line; leaves an unfinished one buffered. */
    static final class LineAnswerer extends InboundMemoryTest.LineWaiter {
        final List<Throwable> causes = new CopyOnWriteArrayList<>();

        @Override
        public Action onTraffic(Conn conn) {
            int before = conn.inboundBuffered();
            super.onTraffic(conn);
            if (conn.inboundBuffered() < before) {
                conn.write("ok\n".getBytes(StandardCharsets.US_ASCII));
            }
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            buffered.remove(conn);
            if (cause != null) {
                causes.add(cause);
            }
            return Action.NONE;
        }
    }

    @Test
    void clientsSendingUnfinishedFramesCannotHoldMoreThanTheBudget() throws Exception {
        BufferPool pool = BufferPool.create();
        LineAnswerer handler = new LineAnswerer();
        long budget = 8L << 20;
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(2).bufferPool(pool)
                .memoryBudget(budget).maxInboundBuffered(64 << 20).build());
        int clients = 16;
        int frame = 1 << 20;
        List<SocketChannel> channels = new ArrayList<>();
        long peak = 0;
        try {
            for (int i = 0; i < clients; i++) {
                SocketChannel c = InboundMemoryTest.connect(engine);
                c.configureBlocking(false);
                channels.add(c);
            }
            long[] sent = new long[clients];
            boolean[] done = new boolean[clients];
            ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
            long deadline = System.nanoTime() + TestServers.WAIT.toNanos();
            int finished = 0;
            // Each client writes until its frame is out, the server stops taking (reading paused:
            // the kernel buffers fill), or the server closes it.
            long idleSince = System.nanoTime();
            while (finished < clients && System.nanoTime() - deadline < 0) {
                boolean progress = false;
                for (int i = 0; i < clients; i++) {
                    if (done[i]) {
                        continue;
                    }
                    chunk.clear().limit((int) Math.min(chunk.capacity(), frame - sent[i]));
                    try {
                        int n = channels.get(i).write(chunk);
                        sent[i] += n;
                        progress |= n > 0;
                    } catch (IOException closedByServer) {
                        sent[i] = frame;
                    }
                    if (sent[i] >= frame) {
                        done[i] = true;
                        finished++;
                    }
                }
                peak = Math.max(peak, pool.inUseBytes());
                if (progress) {
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince > 3_000_000_000L) {
                    break; // nobody can write: the rest are paused for good
                } else {
                    Thread.onSpinWait();
                }
            }
            TestServers.await("connections over the budget closed with MemoryBudgetException",
                    () -> handler.causes.stream().anyMatch(c -> c instanceof MemoryBudgetException));
            TestServers.await("held memory back under the budget", () -> pool.inUseBytes() <= budget);
            assertThat(peak).as("pooled bytes held at the peak, budget %d", budget).isLessThanOrEqualTo(2 * budget);
            assertThat(handler.causes).as("closes other than for the budget")
                    .allMatch(c -> c instanceof MemoryBudgetException);
            try (Socket fresh = TestServers.connect(engine)) {
                TestServers.write(fresh, "hello\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(TestServers.readExactly(fresh.getInputStream(), 3)).as("the engine still serves")
                        .isEqualTo("ok\n".getBytes(StandardCharsets.US_ASCII));
            }
        } finally {
            InboundMemoryTest.closeAll(channels);
            engine.stop();
        }
        assertThat(pool.inUseBytes()).isZero();
    }
}
