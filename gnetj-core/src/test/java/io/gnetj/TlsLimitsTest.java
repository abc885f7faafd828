package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * TLS under the engine's limits: a connection holding part of a record or of a frame holds a
 * small chunk, not a record-sized one; water marks pause reading through TLS and lose nothing;
 * a connection closed while its handshake's delegated task runs leaves nothing behind.
 */
class TlsLimitsTest {

    @Test
    void connectionsHoldingPartOfARecordOrOfAFrameHoldOneSmallChunkEach() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        InboundMemoryTest.LineWaiter handler = new InboundMemoryTest.LineWaiter();
        Engine engine = Gnet.start(handler, "tls://127.0.0.1:0",
                Options.builder().numEventLoops(2).bufferPool(pool).tls(id.server().build()).build());
        int port = TlsTestSupport.port(engine, 0);
        int connections = 40;
        List<TlsTestSupport.EngineClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                TlsTestSupport.EngineClient client = new TlsTestSupport.EngineClient(id.trustingContext(), port);
                clients.add(client);
                ByteBuffer record = client.wrap("GET /pl".getBytes(StandardCharsets.US_ASCII));
                if (i % 2 == 0) {
                    client.send(record); // a whole record: 7 bytes of an unfinished request
                } else {
                    record.limit(10);
                    client.send(record); // 10 bytes of a record
                }
            }
            TestServers.await("the whole records' bytes buffered", () -> handler.total() == connections / 2 * 7);
            // The cut records are kept as ciphertext; give the loops a moment to have read them.
            TestServers.await("every connection's bytes held", () -> pool.inUseBytes() >= (long) connections * pool.sizeClassOf(1));
            long perConnection = pool.inUseBytes() / connections;
            assertThat(perConnection).as("pooled bytes per TLS connection holding part of a record or frame")
                    .isLessThanOrEqualTo(pool.sizeClassOf(1));
        } finally {
            for (TlsTestSupport.EngineClient client : clients) {
                client.close();
            }
            engine.stop();
        }
        assertThat(pool.inUseBytes()).isZero();
    }

    @Test
    void waterMarksPauseReadingThroughTlsAndEveryByteArrives() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        EventHandler echo = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.write(conn.next(-1));
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(echo, "tls://127.0.0.1:0", Options.builder().numEventLoops(1).bufferPool(pool)
                .tls(id.server().build()).writeBufferWaterMarks(32 * 1024, 64 * 1024)
                .socketSendBuffer(32 * 1024).socketRecvBuffer(32 * 1024).build());
        int total = 8 * 1024 * 1024;
        ExecutorService exec = Executors.newSingleThreadExecutor();
        java.net.Socket plain = new java.net.Socket();
        plain.setReceiveBufferSize(16 * 1024);
        plain.setSendBufferSize(16 * 1024);
        plain.connect(engine.addresses().get(0), 5_000);
        try (SSLSocket socket = (SSLSocket) id.trustingContext().getSocketFactory()
                .createSocket(plain, "localhost", TlsTestSupport.port(engine, 0), true)) {
            socket.setSoTimeout((int) TestServers.WAIT.toMillis());
            socket.startHandshake();
            java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
            Future<?> writer = exec.submit(() -> {
                OutputStream out = socket.getOutputStream();
                BackpressureTest.PatternWriter pattern = new BackpressureTest.PatternWriter();
                byte[] chunk = new byte[16 * 1024];
                for (int off = 0; off < total; off += chunk.length) {
                    pattern.fill(chunk, chunk.length);
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
                out.flush();
                return null;
            });
            // The client writes before reading anything: the server stops reading once its
            // answers pass the high-water mark, so the writer stalls and the server holds little.
            long last = -1;
            long deadline = System.nanoTime() + TestServers.WAIT.toNanos();
            while (sent.get() != last && System.nanoTime() - deadline < 0) {
                last = sent.get();
                Thread.sleep(300); // until a whole interval without progress: the writer is stuck
            }
            assertThat(sent.get()).as("bytes the client could write without reading").isLessThan(2L * 1024 * 1024);
            assertThat(pool.inUseBytes()).as("pooled bytes held by a TLS echo whose peer does not read")
                    .isLessThan(1024 * 1024);
            InputStream in = socket.getInputStream();
            BackpressureTest.PatternChecker checker = new BackpressureTest.PatternChecker();
            byte[] buf = new byte[64 * 1024];
            long received = 0;
            while (received < total) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, total - received));
                assertThat(r).isPositive();
                checker.check(buf, r, received);
                received += r;
            }
            writer.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            exec.shutdownNow();
            engine.stop();
        }
        assertThat(pool.inUseBytes()).isZero();
    }

    @Test
    void aConnectionClosedWhileItsHandshakeTaskRunsLeavesNothingBehind() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        CountDownLatch taskStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger tasks = new AtomicInteger();
        ExecutorService taskThreads = Executors.newSingleThreadExecutor();
        // Delegated tasks wait for the test, so the connection is closed while one is running.
        TlsConfig tls = id.server().delegatedTaskExecutor(task -> taskThreads.execute(() -> {
            tasks.incrementAndGet();
            taskStarted.countDown();
            try {
                release.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.run();
        })).handshakeTimeout(Duration.ofMillis(300)).build();
        AtomicInteger opened = new AtomicInteger();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                opened.incrementAndGet();
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(handler, "tls://127.0.0.1:0",
                Options.builder().numEventLoops(1).bufferPool(pool).tls(tls).build());
        ExecutorService client = Executors.newSingleThreadExecutor();
        try {
            int port = TlsTestSupport.port(engine, 0);
            Future<?> handshake = client.submit(() -> {
                try (SSLSocket socket = TlsTestSupport.connect(id.trustingContext(), port)) {
                    return null;
                }
            });
            assertThat(taskStarted.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("a delegated task started").isTrue();
            // The handshake times out while the task runs: the connection closes under it.
            TestServers.await("the connection closed", () -> engine.countConnections() == 0);
            release.countDown(); // the task finishes on a closed connection
            try {
                handshake.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException expected) {
                // the client saw its handshake fail
            }
            TestServers.await("buffers given back", () -> pool.inUseBytes() == 0);
            assertThat(opened.get()).as("onOpen never ran").isZero();
            assertThat(engine.countConnections()).isZero();
        } finally {
            release.countDown();
            client.shutdownNow();
            engine.stop();
            taskThreads.shutdownNow();
        }
        assertThat(pool.inUseBytes()).isZero();
    }
}
