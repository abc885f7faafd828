package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** A TLS server on real loopback sockets, driven by the JDK's SSLSocket and a raw SSLEngine client. */
class TlsEchoTest {

    /** Echoes, and records what each connection negotiated, once open. */
    static final class RecordingEcho implements EventHandler {
        final Queue<String> protocols = new ConcurrentLinkedQueue<>();
        final Queue<String> alpn = new ConcurrentLinkedQueue<>();
        final Queue<List<SNIServerName>> sni = new ConcurrentLinkedQueue<>();
        final Queue<Throwable> closeCauses = new ConcurrentLinkedQueue<>();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger plainOpened = new AtomicInteger();

        @Override
        public Action onOpen(Conn conn) {
            if (conn.tlsSession() == null) {
                plainOpened.incrementAndGet();
                return Action.NONE;
            }
            opened.incrementAndGet();
            protocols.add(conn.tlsSession().getProtocol());
            alpn.add(String.valueOf(conn.applicationProtocol()));
            sni.add(((ExtendedSSLSession) conn.tlsSession()).getRequestedServerNames());
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            ByteBuffer in = conn.next(-1);
            if (in.remaining() == 3 && StandardCharsets.US_ASCII.decode(in.duplicate()).toString().equals("bye")) {
                conn.write("ok".getBytes(StandardCharsets.US_ASCII));
                return Action.CLOSE;
            }
            conn.write(in);
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            closed.incrementAndGet();
            if (cause != null) {
                closeCauses.add(cause);
            }
            return Action.NONE;
        }
    }

    private static Options options(BufferPool pool, TlsConfig tls) {
        return Options.builder().numEventLoops(2).bufferPool(pool).tls(tls).build();
    }

    private static void stop(Engine engine, BufferPool pool) {
        engine.stop();
        assertThat(engine.isRunning()).isFalse();
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void echoesToAHundredJdkClients() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        RecordingEcho handler = new RecordingEcho();
        Engine engine = Gnet.start(handler, "tls://127.0.0.1:0", options(pool, id.server().build()));
        SSLContext trusting = id.trustingContext();
        int port = TlsTestSupport.port(engine, 0);
        ExecutorService exec = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int c = 0; c < 100; c++) {
                long seed = c;
                results.add(exec.submit(() -> {
                    Random random = new Random(seed);
                    try (SSLSocket socket = TlsTestSupport.connect(trusting, port)) {
                        InputStream in = socket.getInputStream();
                        OutputStream out = socket.getOutputStream();
                        for (int round = 0; round < 3; round++) {
                            byte[] message = new byte[1 + random.nextInt(random.nextBoolean() ? 100 : 50_000)];
                            random.nextBytes(message);
                            out.write(message);
                            out.flush();
                            assertThat(TestServers.readExactly(in, message.length)).isEqualTo(message);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
            TestServers.await("every connection closed", () -> handler.closed.get() == 100);
        } finally {
            exec.shutdownNow();
            stop(engine, pool);
        }
        assertThat(handler.opened.get()).isEqualTo(100);
        assertThat(handler.protocols).containsOnly("TLSv1.3");
        assertThat(handler.closeCauses).as("orderly closes (close_notify from SSLSocket.close)").isEmpty();
    }

    @Test
    void sixteenMebibytesEachWayArriveIntact() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        Engine engine = Gnet.start(new TestServers.Echo(), "tls://127.0.0.1:0", options(pool, id.server().build()));
        int size = 16 * 1024 * 1024;
        ExecutorService exec = Executors.newSingleThreadExecutor();
        try (SSLSocket socket = TlsTestSupport.connect(id.trustingContext(), TlsTestSupport.port(engine, 0))) {
            Future<?> writer = exec.submit(() -> {
                Random random = new Random(42);
                byte[] chunk = new byte[100_000];
                OutputStream out = socket.getOutputStream();
                for (int sent = 0; sent < size; sent += chunk.length) {
                    int len = Math.min(chunk.length, size - sent);
                    random.nextBytes(chunk);
                    out.write(chunk, 0, len);
                }
                out.flush();
                return null;
            });
            Random expected = new Random(42);
            byte[] want = new byte[100_000];
            byte[] got = new byte[100_000];
            InputStream in = socket.getInputStream();
            for (int received = 0; received < size; received += want.length) {
                int len = Math.min(want.length, size - received);
                expected.nextBytes(want);
                int off = 0;
                while (off < len) {
                    int r = in.read(got, off, len - off);
                    assertThat(r).as("EOF after %d of %d bytes", received + off, size).isPositive();
                    off += r;
                }
                for (int i = 0; i < len; i++) {
                    if (got[i] != want[i]) {
                        throw new AssertionError("byte " + (received + i) + " differs");
                    }
                }
            }
            writer.get(30, TimeUnit.SECONDS);
        } finally {
            exec.shutdownNow();
            TestServers.await("connection closed", () -> engine.countConnections() == 0);
            stop(engine, pool);
        }
    }

    @Test
    void aReadBufferSmallerThanARecordStillDeliversEveryByte() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        Engine engine = Gnet.start(new TestServers.Echo(), "tls://127.0.0.1:0", Options.builder().numEventLoops(1)
                .bufferPool(pool).readBufferCap(1024).tls(id.server().build()).build());
        byte[] message = new byte[300_000];
        new Random(3).nextBytes(message);
        try (SSLSocket socket = TlsTestSupport.connect(id.trustingContext(), TlsTestSupport.port(engine, 0))) {
            TestServers.write(socket, message);
            assertThat(TestServers.readExactly(socket.getInputStream(), message.length)).isEqualTo(message);
        } finally {
            TestServers.await("connection closed", () -> engine.countConnections() == 0);
            stop(engine, pool);
        }
    }

    @Test
    void alpnAndSniAreReadableFromTheConn() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        RecordingEcho handler = new RecordingEcho();
        Engine engine = Gnet.start(handler, "tls://127.0.0.1:0",
                options(pool, id.server().applicationProtocols("h2", "http/1.1").build()));
        try (SSLSocket socket = (SSLSocket) id.trustingContext().getSocketFactory()
                .createSocket("localhost", TlsTestSupport.port(engine, 0))) {
            socket.setSoTimeout((int) TestServers.WAIT.toMillis());
            SSLParameters p = socket.getSSLParameters();
            p.setApplicationProtocols(new String[] {"http/1.1", "spdy/3"});
            // The JDK sends no SNI for a name without a dot, such as localhost: name one.
            p.setServerNames(List.of(new SNIHostName("app.gnetj.test")));
            socket.setSSLParameters(p);
            socket.startHandshake();
            assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
            TestServers.write(socket, "ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(TestServers.readExactly(socket.getInputStream(), 4)).isEqualTo("ping".getBytes(StandardCharsets.US_ASCII));
        } finally {
            TestServers.await("connection closed", () -> handler.closed.get() == 1);
            stop(engine, pool);
        }
        assertThat(handler.alpn).containsExactly("http/1.1");
        assertThat(handler.sni).containsExactly(List.of(new SNIHostName("app.gnetj.test")));
    }

    @Test
    void tls12IsSpokenWhenTheClientAsksForIt() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        RecordingEcho handler = new RecordingEcho();
        Engine engine = Gnet.start(handler, "tls://127.0.0.1:0", options(pool, id.server().build()));
        try (SSLSocket socket = (SSLSocket) id.trustingContext().getSocketFactory()
                .createSocket("localhost", TlsTestSupport.port(engine, 0))) {
            socket.setSoTimeout((int) TestServers.WAIT.toMillis());
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            TestServers.write(socket, "twelve".getBytes(StandardCharsets.US_ASCII));
            assertThat(TestServers.readExactly(socket.getInputStream(), 6)).isEqualTo("twelve".getBytes(StandardCharsets.US_ASCII));
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
        } finally {
            TestServers.await("connection closed", () -> handler.closed.get() == 1);
            stop(engine, pool);
        }
        assertThat(handler.protocols).containsExactly("TLSv1.2");
    }

    @Test
    void closeSendsCloseNotifyAfterTheReply() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        RecordingEcho handler = new RecordingEcho();
        Engine engine = Gnet.start(handler, "tls://127.0.0.1:0", options(pool, id.server().build()));
        int port = TlsTestSupport.port(engine, 0);
        try {
            // The JDK client sees the reply, then an orderly end of stream.
            try (SSLSocket socket = TlsTestSupport.connect(id.trustingContext(), port)) {
                TestServers.write(socket, "bye".getBytes(StandardCharsets.US_ASCII));
                assertThat(TestServers.readExactly(socket.getInputStream(), 2)).isEqualTo("ok".getBytes(StandardCharsets.US_ASCII));
                assertThat(socket.getInputStream().read()).as("orderly EOF").isEqualTo(-1);
            }
            // A raw engine sees the close_notify record itself.
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                try (TlsTestSupport.EngineClient client = new TlsTestSupport.EngineClient(id.trustingContext(), port, protocol)) {
                    client.send(client.wrap("bye".getBytes(StandardCharsets.US_ASCII)));
                    TlsTestSupport.Received received = client.receive(3);
                    assertThat(received.text()).isEqualTo("ok");
                    assertThat(received.closeNotify()).as("close_notify after the reply over " + protocol).isTrue();
                }
            }
            TestServers.await("every connection closed", () -> handler.closed.get() == 3);
        } finally {
            stop(engine, pool);
        }
        assertThat(handler.closeCauses).isEmpty();
    }

    @Test
    void tlsAndPlainListenersShareOneEngine() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        RecordingEcho handler = new RecordingEcho();
        Engine engine = Gnet.start(handler, List.of("tls://127.0.0.1:0", "tcp://127.0.0.1:0"), options(pool, id.server().build()));
        try {
            try (SSLSocket socket = TlsTestSupport.connect(id.trustingContext(), TlsTestSupport.port(engine, 0))) {
                TestServers.write(socket, "secret".getBytes(StandardCharsets.US_ASCII));
                assertThat(TestServers.readExactly(socket.getInputStream(), 6)).isEqualTo("secret".getBytes(StandardCharsets.US_ASCII));
            }
            try (Socket socket = TestServers.connect(engine.addresses().get(1))) {
                TestServers.write(socket, "plain".getBytes(StandardCharsets.US_ASCII));
                assertThat(TestServers.readExactly(socket.getInputStream(), 5)).isEqualTo("plain".getBytes(StandardCharsets.US_ASCII));
            }
            TestServers.await("both connections closed", () -> handler.closed.get() == 2);
        } finally {
            stop(engine, pool);
        }
        assertThat(handler.opened.get()).as("TLS connections").isEqualTo(1);
        assertThat(handler.plainOpened.get()).as("plain connections (tlsSession() null)").isEqualTo(1);
    }

    @Test
    void pemKeyMaterialAndAGivenExecutorForDelegatedTasks() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool pool = BufferPool.create();
        Queue<String> taskThreads = new ConcurrentLinkedQueue<>();
        ExecutorService workers = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-tls-worker"));
        TlsConfig config = TlsConfig.builder().pem(id.certificatePem(), id.privateKeyPem())
                .delegatedTaskExecutor(task -> workers.execute(() -> {
                    taskThreads.add(Thread.currentThread().getName());
                    task.run();
                })).build();
        Engine engine = Gnet.start(new TestServers.Echo(), "tls://127.0.0.1:0", options(pool, config));
        try (SSLSocket socket = TlsTestSupport.connect(id.trustingContext(), TlsTestSupport.port(engine, 0))) {
            TestServers.write(socket, "pem".getBytes(StandardCharsets.US_ASCII));
            assertThat(TestServers.readExactly(socket.getInputStream(), 3)).isEqualTo("pem".getBytes(StandardCharsets.US_ASCII));
        } finally {
            TestServers.await("connection closed", () -> engine.countConnections() == 0);
            stop(engine, pool);
            workers.shutdownNow();
        }
        assertThat(taskThreads).as("delegated tasks ran on the given executor").isNotEmpty().containsOnly("test-tls-worker");
    }
}
