package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A post from another thread to a sleeping loop is served within milliseconds. A lost wake-up
 * would not fail any functional test: the loop wakes anyway for its next sweep (up to a second
 * later) and the 20-second waits of the other tests swallow it. So this test measures the
 * latency of each post to an idle loop, {@code asyncWrite} and {@code wake}, and bounds it.
 */
class WakeLatencyTest {

    private static final int POSTS = 300;

    @Test
    void postsToASleepingLoopAreServedWithinMilliseconds() throws Exception {
        AtomicReference<Conn> server = new AtomicReference<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                server.set(conn);
                return Action.NONE;
            }
        };
        // The sweep runs once a second: a missed wake-up costs hundreds of milliseconds.
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).build());
        try (Socket client = TestServers.connect(engine)) {
            TestServers.await("connection opened", () -> server.get() != null);
            Conn conn = server.get();
            InputStream in = client.getInputStream();
            BlockingQueue<Long> served = new LinkedBlockingQueue<>();
            Callback stamp = (c, error) -> served.add(error == null ? System.nanoTime() : -1L);
            long[] latencies = new long[POSTS];
            for (int i = 0; i < POSTS; i++) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // let the loop fall asleep in select
                long posted = System.nanoTime();
                if (i % 2 == 0) {
                    conn.asyncWrite(ByteBuffer.wrap(new byte[] {(byte) i}), stamp);
                } else {
                    conn.wake(stamp);
                }
                Long at = served.poll(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(at).as("post %d served", i).isNotNull().isNotEqualTo(-1L);
                latencies[i] = at - posted;
            }
            assertThat(TestServers.readExactly(in, POSTS / 2)).hasSize(POSTS / 2);
            Arrays.sort(latencies);
            long p50 = latencies[POSTS / 2];
            long p99 = latencies[POSTS * 99 / 100];
            long max = latencies[POSTS - 1];
            System.out.printf("post-to-callback on a sleeping loop: p50 %d us, p99 %d us, max %d us%n",
                    p50 / 1000, p99 / 1000, max / 1000);
            assertThat(TimeUnit.NANOSECONDS.toMillis(p99)).as("p99 of post-to-callback (ms)").isLessThan(10);
            assertThat(TimeUnit.NANOSECONDS.toMillis(max)).as("slowest post-to-callback (ms): a lost wake-up waits for the sweep")
                    .isLessThan(500);
        } finally {
            engine.stop();
        }
    }
}
