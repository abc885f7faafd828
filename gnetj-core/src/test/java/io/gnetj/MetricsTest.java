package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.buffer.BufferPool;
import io.gnetj.metrics.EngineJmx;
import io.gnetj.metrics.GnetjMetrics;
import io.gnetj.pool.WorkerPool;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * {@link Engine#metrics()} against known traffic over real sockets: N connections, M bytes each
 * way, and one close of each kind the counters sort by.
 */
class MetricsTest {

    private static final int CONNECTIONS = 6;
    private static final int BYTES = 50_000;

    /** Echoes everything back. */
    static final class Echo implements EventHandler {
        @Override
        public Action onTraffic(Conn conn) {
            ByteBuffer in = conn.next(-1);
            conn.write(in);
            return Action.NONE;
        }
    }

    @Test
    void echoTrafficIsCountedPerConnectionAndPerByteInBothDirections() throws Exception {
        Engine engine = TestServers.start(new Echo(), Options.builder().numEventLoops(2).build());
        try {
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                sockets.add(TestServers.connect(engine));
            }
            TestServers.await("all open", () -> engine.metrics().total().connectionsOpen() == CONNECTIONS);
            EngineMetrics open = engine.metrics();
            assertThat(open.total().connectionsOpened()).isEqualTo(CONNECTIONS);
            assertThat(open.connections()).isEqualTo(CONNECTIONS);
            assertThat(open.loops()).hasSize(2);
            assertThat(open.loops().get(0).connectionsOpen() + open.loops().get(1).connectionsOpen())
                    .isEqualTo(CONNECTIONS);

            byte[] payload = new byte[BYTES];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            for (Socket s : sockets) {
                OutputStream out = s.getOutputStream();
                out.write(payload);
                out.flush();
                assertThat(TestServers.readExactly(s.getInputStream(), BYTES)).isEqualTo(payload);
            }
            for (Socket s : sockets) {
                s.close(); // the peer's end of stream: closed by peer
            }
            long total = (long) CONNECTIONS * BYTES;
            TestServers.await("all closed", () -> engine.metrics().total().connectionsClosed() == CONNECTIONS);
            LoopMetrics m = engine.metrics().total();
            assertThat(m.index()).isEqualTo(-1);
            assertThat(m.connectionsOpen()).isZero();
            assertThat(m.closedByPeer()).isEqualTo(CONNECTIONS);
            assertThat(m.closedLocally() + m.closedIdle() + m.closedByLimit() + m.closedError()).isZero();
            assertThat(m.bytesRead()).isEqualTo(total);
            assertThat(m.bytesWritten()).isEqualTo(total);
            // At least one read per connection for its bytes plus one for its end of stream.
            assertThat(m.reads()).isGreaterThanOrEqualTo(2L * CONNECTIONS);
            assertThat(m.writes()).isGreaterThanOrEqualTo(CONNECTIONS);
            assertThat(m.uptimeNanos()).isPositive();
            assertThat(m.busyNanos()).isPositive().isLessThanOrEqualTo(m.uptimeNanos());
            assertThat(m.busyRatio()).isBetween(0.0, 1.0);
            assertThat(m.refusedWrites()).isZero();
        } finally {
            engine.stop();
        }
    }

    @Test
    void anIdleTimeoutCloseCountsAsIdle() throws Exception {
        Engine engine = TestServers.start(new Echo(), Options.builder().numEventLoops(1)
                .idleTimeout(Duration.ofMillis(300)).build());
        try (Socket socket = TestServers.connect(engine)) {
            assertThat(socket.getInputStream().read()).as("the server closes the idle connection").isEqualTo(-1);
            TestServers.await("closed", () -> engine.metrics().total().connectionsClosed() == 1);
            LoopMetrics m = engine.metrics().total();
            assertThat(m.closedIdle()).isEqualTo(1);
            assertThat(m.closedByPeer() + m.closedLocally() + m.closedError()).isZero();
        } finally {
            engine.stop();
        }
    }

    @Test
    void aRefusedWriteIsCountedAndItsCloseCountsAsAnOutboundLimit() throws Exception {
        int cap = 64 * 1024;
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.discard(-1);
                conn.write(new byte[cap + 1]);
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).maxOutboundBuffered(cap)
                .writeBufferWaterMarks(1024, 32 * 1024).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, new byte[] {1});
            TestServers.readToEof(socket.getInputStream(), 1 << 20);
            TestServers.await("closed", () -> engine.metrics().total().connectionsClosed() == 1);
            LoopMetrics m = engine.metrics().total();
            assertThat(m.refusedWrites()).isEqualTo(1);
            assertThat(m.closedOutboundLimit()).isEqualTo(1);
            assertThat(m.closedByLimit()).isEqualTo(1);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aCloseTheHandlerAsksForCountsAsLocal() throws Exception {
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.discard(-1);
                return Action.CLOSE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, new byte[] {1});
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            TestServers.await("closed", () -> engine.metrics().total().connectionsClosed() == 1);
            assertThat(engine.metrics().total().closedLocally()).isEqualTo(1);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aHandlerExceptionCountsAsAnError() throws Exception {
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                throw new IllegalStateException("a bug in the handler (expected by MetricsTest)");
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, new byte[] {1});
            TestServers.readToEof(socket.getInputStream(), 16);
            TestServers.await("closed", () -> engine.metrics().total().connectionsClosed() == 1);
            assertThat(engine.metrics().total().closedError()).isEqualTo(1);
        } finally {
            engine.stop();
        }
    }

    @Test
    void waterMarksTasksLagAndTheBufferPoolAreReported() throws Exception {
        BufferPool pool = BufferPool.create();
        int chunk = 256 * 1024;
        CountDownLatch wrote = new CountDownLatch(1);
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.discard(-1);
                conn.write(new byte[chunk]); // past the high-water mark of a slow reader: unwritable
                wrote.countDown();
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).bufferPool(pool)
                .writeBufferWaterMarks(16 * 1024, 64 * 1024).socketSendBuffer(16 * 1024).build());
        try (Socket socket = TestServers.connectSmallBuffers(engine, 16 * 1024)) {
            TestServers.write(socket, new byte[] {1});
            wrote.await();
            TestServers.await("paused", () -> engine.metrics().total().waterMarkPauses() == 1);
            InputStream in = socket.getInputStream();
            TestServers.readExactly(in, chunk);
            TestServers.await("resumed", () -> engine.metrics().total().waterMarkResumes() == 1);
            // The lag probe is posted by the loop's sweep, once a second.
            TestServers.await("the lag probe ran", () -> engine.metrics().total().maxLagNanos() > 0);
            EngineMetrics m = engine.metrics();
            assertThat(m.total().tasksPosted()).isGreaterThanOrEqualTo(m.total().tasksRun());
            assertThat(m.total().maxLagNanos()).isPositive().isGreaterThanOrEqualTo(m.total().lastLagNanos());
            assertThat(m.total().maxTickLateNanos()).isGreaterThanOrEqualTo(0);
            assertThat(m.bufferPool().cacheHits() + m.bufferPool().cacheMisses()).isPositive();
            assertThat(m.bufferPool().allocatedBytes()).isPositive();
            assertThat(m.bufferPool().sizeClasses()).isNotEmpty();
            assertThat(m.bufferPool().cacheHitRatio()).isBetween(0.0, 1.0);
        } finally {
            engine.stop();
        }
        assertThat(pool.metrics().usedBytes()).isZero();
    }

    @Test
    void aClientReportsItsLoopsToo() throws Exception {
        Engine server = TestServers.start(new Echo(), Options.builder().numEventLoops(1).build());
        Client client = Client.start(new EventHandler() { }, Options.builder().numEventLoops(1).build());
        try {
            Conn conn = client.dial("tcp://127.0.0.1:" + TestServers.port(server));
            conn.asyncWrite(ByteBuffer.wrap(new byte[1000]), null);
            TestServers.await("echoed", () -> client.metrics().total().bytesRead() == 1000);
            assertThat(client.metrics().total().bytesWritten()).isEqualTo(1000);
            assertThat(client.metrics().total().connectionsOpen()).isEqualTo(1);
        } finally {
            client.stop();
            server.stop();
        }
    }

    @Test
    void aWorkerPoolCountsItsRejections() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (WorkerPool workers = WorkerPool.of(1)) {
            workers.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThatThrownBy(() -> workers.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
            assertThat(workers.rejectedCount()).isEqualTo(1);
            release.countDown();
        }
    }

    @Test
    void theMicrometerBinderReportsTheSameFigures() throws Exception {
        Engine engine = TestServers.start(new Echo(), Options.builder().numEventLoops(1).build());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new GnetjMetrics(engine, Tags.of("server", "test")).bindTo(registry);
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, new byte[BYTES]);
            TestServers.readExactly(socket.getInputStream(), BYTES);
            Thread.sleep(250); // past the binder's snapshot reuse (100 ms)
            assertThat(registry.get("gnetj.data.received").tags("server", "test", "loop", "0").functionCounter().count())
                    .isEqualTo(BYTES);
            assertThat(registry.get("gnetj.data.sent").tag("loop", "0").functionCounter().count()).isEqualTo(BYTES);
            assertThat(registry.get("gnetj.connections.active").tag("loop", "0").gauge().value()).isEqualTo(1);
            assertThat(registry.get("gnetj.eventloop.pending.tasks").gauge().value()).isGreaterThanOrEqualTo(0);
            assertThat(registry.get("gnetj.pool.used.direct.memory").gauge().value()).isGreaterThanOrEqualTo(0);
        } finally {
            engine.stop();
        }
    }

    @Test
    void theMxBeanShowsTheTotalsWhileRegisteredAndIsGoneAfterClose() throws Exception {
        Engine engine = TestServers.start(new Echo(), Options.builder().numEventLoops(1).build());
        EngineJmx jmx = EngineJmx.register(engine, "metrics-test");
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, new byte[1234]);
            TestServers.readExactly(socket.getInputStream(), 1234);
            var server = ManagementFactory.getPlatformMBeanServer();
            assertThat(jmx.objectName().toString()).isEqualTo("io.gnetj:type=Engine,name=\"metrics-test\"");
            assertThat(server.getAttribute(jmx.objectName(), "BytesRead")).isEqualTo(1234L);
            assertThat(server.getAttribute(jmx.objectName(), "ConnectionsOpen")).isEqualTo(1);
            jmx.close();
            assertThat(server.isRegistered(jmx.objectName())).isFalse();
            jmx.close();
        } finally {
            jmx.close();
            engine.stop();
        }
    }
}
