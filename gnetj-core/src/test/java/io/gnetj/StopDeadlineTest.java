package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Engine#stop(Duration)} ends within its deadline: graceful closes where the peer takes
 * what is queued, a cut (with a cause saying so) where it does not, and a report of both.
 */
class StopDeadlineTest {

    /** Far more than a small client socket's buffers and the server's send buffer take. */
    private static final int FLOOD = 8 * 1024 * 1024;
    /** Upper bound for a 500 ms stop: the deadline plus a generous margin for a loaded machine. */
    private static final long STOP_BOUND_MILLIS = 3_000;

    /** A client that says "flood" gets FLOOD bytes queued; every other connection gets nothing. */
    private static final class Flooder implements EventHandler {
        final Map<Integer, Throwable> closeCauses = new ConcurrentHashMap<>();
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger shutdowns = new AtomicInteger();
        final AtomicInteger closesSeenAtShutdown = new AtomicInteger(-1);
        final AtomicInteger queuedAfterFlood = new AtomicInteger();

        @Override
        public Action onOpen(Conn conn) {
            conn.context(opens.incrementAndGet());
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            conn.discard(-1);
            conn.write(new byte[FLOOD]);
            queuedAfterFlood.set(conn.outboundBuffered());
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            Integer id = conn.context();
            closeCauses.put(id, cause == null ? new NoCause() : cause);
            closes.incrementAndGet();
            return Action.NONE;
        }

        @Override
        public void onShutdown(Engine engine) {
            closesSeenAtShutdown.set(closes.get());
            shutdowns.incrementAndGet();
        }
    }

    /** Stands for "onClose got no cause" in the map. */
    private static final class NoCause extends Throwable {
    }

    @Test
    void aPeerThatNeverReadsIsCutAtTheDeadlineAndTheReportSaysSo() throws Exception {
        Flooder handler = new Flooder();
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(2).build());
        try (Socket stuck = TestServers.connectSmallBuffers(engine, 4096);
             Socket quiet = TestServers.connect(engine)) {
            TestServers.await("two connections open", () -> handler.opens.get() == 2);
            stuck.getOutputStream().write('x'); // asks for the flood, then never reads
            TestServers.await("megabytes queued for the stuck peer", () -> handler.queuedAfterFlood.get() > 1 << 20);

            long start = System.nanoTime();
            StopReport report = engine.stop(Duration.ofMillis(500));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(tookMillis).as("stop(500 ms) took (ms)").isGreaterThanOrEqualTo(400).isLessThan(STOP_BOUND_MILLIS);
            assertThat(report.cut()).as("connections cut: " + report).isEqualTo(1);
            assertThat(report.closedGracefully()).as("connections closed gracefully: " + report).isEqualTo(1);
            assertThat(report.bytesDropped()).as("bytes dropped").isGreaterThan(1 << 20).isLessThanOrEqualTo(FLOOD);
            assertThat(report.clean()).isFalse();
            assertThat(report.deadline()).isEqualTo(Duration.ofMillis(500));

            assertThat(handler.shutdowns.get()).as("onShutdown calls").isEqualTo(1);
            assertThat(handler.closesSeenAtShutdown.get()).as("onClose calls before onShutdown").isEqualTo(2);
            Throwable stuckCause = handler.closeCauses.values().stream().filter(c -> !(c instanceof NoCause))
                    .findFirst().orElseThrow(() -> new AssertionError("no connection was told it was cut: " + handler.closeCauses));
            assertThat(stuckCause).isInstanceOf(ConnectionClosedException.class)
                    .hasMessageContaining("stop deadline")
                    .hasMessageContaining(report.bytesDropped() + " queued bytes dropped");
            assertThat(handler.closeCauses.values()).filteredOn(c -> c instanceof NoCause).as("graceful closes").hasSize(1);
            assertThat(quiet.getInputStream().read()).as("the quiet client sees EOF").isEqualTo(-1);
            assertThat(engine.isRunning()).isFalse();

            assertThat(engine.stop(Duration.ofSeconds(10))).as("a second stop returns the same report").isEqualTo(report);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aStopWhosePeersTakeEverythingIsCleanAndFlushesTheQueue() throws Exception {
        Flooder handler = new Flooder();
        Engine engine = TestServers.start(handler, Options.defaults());
        try (Socket reader = TestServers.connect(engine)) {
            reader.getOutputStream().write('x');
            TestServers.await("the flood queued", () -> handler.queuedAfterFlood.get() > 0);
            CompletableFuture<StopReport> report = engine.stopAsync(Duration.ofSeconds(20));
            // Graceful: every queued byte still reaches the peer, then EOF.
            InputStream in = reader.getInputStream();
            byte[] all = TestServers.readToEof(in, FLOOD);
            assertThat(all.length).as("bytes the peer got before EOF").isEqualTo(FLOOD);
            StopReport done = report.get(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(done.clean()).as(done.toString()).isTrue();
            assertThat(done.closedGracefully()).isEqualTo(1);
            assertThat(done.bytesDropped()).isZero();
            assertThat(handler.closeCauses.values()).allMatch(c -> c instanceof NoCause);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aShorterDeadlineBringsARunningStopForward() throws Exception {
        Flooder handler = new Flooder();
        Engine engine = TestServers.start(handler, Options.builder().closeTimeout(Duration.ofSeconds(60)).build());
        try (Socket stuck = TestServers.connectSmallBuffers(engine, 4096)) {
            stuck.getOutputStream().write('x');
            TestServers.await("megabytes queued", () -> handler.queuedAfterFlood.get() > 1 << 20);
            CompletableFuture<StopReport> slow = engine.stopAsync(Duration.ofSeconds(60));
            long start = System.nanoTime();
            StopReport report = engine.stop(Duration.ofMillis(200));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("ms").isLessThan(STOP_BOUND_MILLIS);
            assertThat(report.cut()).isEqualTo(1);
            assertThat(slow.get(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("one stop, one report").isEqualTo(report);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aHandlerMayStartAStopButNotWaitForIt() throws Exception {
        AtomicReference<Throwable> waitFailure = new AtomicReference<>();
        CompletableFuture<CompletableFuture<StopReport>> started = new CompletableFuture<>();
        Engine engine = TestServers.start(new EventHandler() {
            private volatile Engine self;

            @Override
            public Action onBoot(Engine engine) {
                self = engine;
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn conn) {
                conn.discard(-1);
                try {
                    self.stop(Duration.ofSeconds(1)); // on a loop thread: would wait for itself
                } catch (IllegalStateException e) {
                    waitFailure.set(e);
                }
                started.complete(self.stopAsync(Duration.ofSeconds(1)));
                return Action.NONE;
            }
        }, Options.defaults());
        try (Socket client = TestServers.connect(engine)) {
            client.getOutputStream().write('x');
            StopReport report = started.get(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(waitFailure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("stopAsync");
            assertThat(report.cut()).isZero();
            assertThat(report.closedGracefully()).isEqualTo(1);
            engine.awaitTermination();
            assertThat(engine.isRunning()).isFalse();
        } finally {
            engine.stop();
        }
    }

    @Test
    void stopWithoutADeadlineUsesCloseTimeout() throws Exception {
        Flooder handler = new Flooder();
        Engine engine = TestServers.start(handler, Options.builder().closeTimeout(Duration.ofMillis(300)).build());
        try (Socket stuck = TestServers.connectSmallBuffers(engine, 4096)) {
            stuck.getOutputStream().write('x');
            TestServers.await("megabytes queued", () -> handler.queuedAfterFlood.get() > 1 << 20);
            long start = System.nanoTime();
            engine.stop();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("ms").isLessThan(STOP_BOUND_MILLIS);
            assertThat(handler.closeCauses.values()).singleElement().isInstanceOf(ConnectionClosedException.class);
        } finally {
            engine.stop();
        }
    }
}
