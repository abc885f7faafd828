package io.gnetj.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import io.gnetj.testing.MemoryConn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The pattern the pool exists for: a handler hands blocking work off and answers with asyncWrite. */
class WorkerPoolWithConnTest {

    @Test
    void blockingWorkAnswersThroughAsyncWriteAndAFullPoolAnswersBusyAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (WorkerPool pool = WorkerPool.of(1)) {
            EventHandler handler = new EventHandler() {
                @Override
                public Action onTraffic(Conn conn) {
                    ByteBuffer view = conn.next(-1);
                    byte[] request = new byte[view.remaining()]; // the view dies with this callback
                    view.get(request);
                    try {
                        pool.execute(() -> {
                            WorkerPoolTest.awaitQuietly(release); // stands for a slow database call
                            String answer = new String(request, StandardCharsets.US_ASCII).toUpperCase() + ";";
                            conn.asyncWrite(ByteBuffer.wrap(answer.getBytes(StandardCharsets.US_ASCII)), null);
                        });
                    } catch (RejectedExecutionException full) {
                        conn.write("busy;".getBytes(StandardCharsets.US_ASCII));
                    }
                    return Action.NONE;
                }
            };
            MemoryConn conn = new MemoryConn(handler);
            conn.receive("first".getBytes(StandardCharsets.US_ASCII));
            conn.receive("second".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(conn.written(), StandardCharsets.US_ASCII))
                    .as("the loop answered the second request at once while the first was blocked")
                    .isEqualTo("busy;");

            release.countDown();
            assertThat(conn.awaitPendingTasks(Duration.ofSeconds(WorkerPoolTest.WAIT_SECONDS)))
                    .as("asyncWrite tasks run on the loop thread").isEqualTo(1);
            assertThat(new String(conn.written(), StandardCharsets.US_ASCII)).isEqualTo("busy;FIRST;");
        }
    }
}
