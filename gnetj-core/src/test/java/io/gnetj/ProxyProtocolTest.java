package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * {@link Options#proxyProtocol()} on real sockets: the client's address from a version 1 or 2
 * header reaches {@code onOpen}, the bytes after the header reach {@code onTraffic} (plaintext)
 * or the TLS handshake; a malformed or late header closes the socket before any handler sees it
 * and gives its slot back.
 */
class ProxyProtocolTest {

    /** Records what onOpen saw and echoes. */
    private static final class Recorder implements EventHandler {
        final CompletableFuture<Conn> opened = new CompletableFuture<>();
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public Action onOpen(Conn conn) {
            events.add("open " + conn.remoteAddress());
            opened.complete(conn);
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            conn.write(conn.next(-1));
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            events.add("close");
            return Action.NONE;
        }
    }

    private static Options.Builder options() {
        return Options.builder().numEventLoops(1).proxyProtocol(true);
    }

    @Test
    void aVersionOneHeaderNamesTheClientAndTheBytesAfterItAreTraffic() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = TestServers.start(recorder, options().build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, "PROXY TCP4 203.0.113.9 10.1.2.3 40000 443\r\nhello".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(TestServers.readExactly(socket.getInputStream(), 5), StandardCharsets.US_ASCII))
                    .isEqualTo("hello");
            Conn conn = recorder.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(conn.remoteAddress()).isEqualTo(new InetSocketAddress("203.0.113.9", 40000));
            assertThat(conn.localAddress()).isEqualTo(new InetSocketAddress("10.1.2.3", 443));
            assertThat(conn.proxyHeader().version()).isEqualTo(1);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aVersionTwoHeaderSentAByteAtATimeWithTlvs() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = TestServers.start(recorder, options().build());
        byte[] authority = "example.com".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer header = ByteBuffer.allocate(16 + 12 + 3 + authority.length)
                .put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A})
                .put((byte) 0x21).put((byte) 0x11).putShort((short) (12 + 3 + authority.length))
                .put(new byte[] {(byte) 198, 51, 100, 1}).put(new byte[] {127, 0, 0, 1}).putShort((short) 1234)
                .putShort((short) 80).put((byte) ProxyHeader.TYPE_AUTHORITY).putShort((short) authority.length).put(authority);
        try (Socket socket = TestServers.connect(engine)) {
            for (byte b : header.array()) {
                socket.getOutputStream().write(b);
                socket.getOutputStream().flush();
            }
            TestServers.write(socket, "ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(TestServers.readExactly(socket.getInputStream(), 4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            Conn conn = recorder.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(conn.remoteAddress()).isEqualTo(new InetSocketAddress("198.51.100.1", 1234));
            assertThat(conn.proxyHeader().tlv(ProxyHeader.TYPE_AUTHORITY)).isEqualTo(authority);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aMalformedOrLateHeaderClosesTheSocketBeforeAnyHandlerAndFreesItsSlot() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = TestServers.start(recorder,
                options().proxyProtocolTimeout(Duration.ofMillis(300)).maxConnections(3).build());
        try (Socket bad = TestServers.connect(engine); Socket silent = TestServers.connect(engine);
             Socket host = TestServers.connect(engine)) {
            TestServers.write(bad, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(bad.getInputStream().read()).as("malformed: closed").isEqualTo(-1);
            TestServers.write(host, "PROXY TCP4 evil.example 1.1.1.1 1 2\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(host.getInputStream().read()).as("a host name, never looked up: closed").isEqualTo(-1);
            long start = System.nanoTime();
            assertThat(silent.getInputStream().read()).as("no header: closed at the timeout").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            TestServers.await("every slot back", () -> engine.countConnections() == 0);
            assertThat(recorder.events).as("no handler ever saw them").isEmpty();
            try (Socket good = TestServers.connect(engine)) {
                TestServers.write(good, "PROXY UNKNOWN\r\nok".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(TestServers.readExactly(good.getInputStream(), 2), StandardCharsets.US_ASCII)).isEqualTo("ok");
                Conn conn = recorder.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(conn.proxyHeader().local()).isTrue();
                assertThat(conn.remoteAddress()).as("UNKNOWN: the socket's own peer")
                        .isEqualTo(good.getLocalSocketAddress());
            }
        } finally {
            engine.stop();
        }
    }

    @Test
    void onATlsListenerTheHandshakeFollowsTheHeader() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        Recorder recorder = new Recorder();
        Engine engine = Gnet.start(recorder, "tls://127.0.0.1:0", options().tls(id.server().build()).build());
        SSLContext trusting = id.trustingContext();
        try (Socket raw = TestServers.connect(engine)) {
            TestServers.write(raw, "PROXY TCP6 2001:db8::7 ::1 5555 443\r\n".getBytes(StandardCharsets.US_ASCII));
            try (SSLSocket tls = (SSLSocket) trusting.getSocketFactory().createSocket(raw, "localhost", TestServers.port(engine), true)) {
                tls.startHandshake();
                tls.getOutputStream().write("secret".getBytes(StandardCharsets.US_ASCII));
                tls.getOutputStream().flush();
                InputStream in = tls.getInputStream();
                assertThat(new String(TestServers.readExactly(in, 6), StandardCharsets.US_ASCII)).isEqualTo("secret");
            }
            Conn conn = recorder.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(conn.remoteAddress()).isEqualTo(new InetSocketAddress("2001:db8::7", 5555));
        } finally {
            engine.stop();
        }
    }

    @Test
    void withTheOptionOffAHeaderIsJustBytes() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = TestServers.start(recorder, Options.builder().numEventLoops(1).build());
        try (Socket socket = TestServers.connect(engine)) {
            byte[] line = "PROXY TCP4 203.0.113.9 10.1.2.3 40000 443\r\n".getBytes(StandardCharsets.US_ASCII);
            TestServers.write(socket, line);
            assertThat(TestServers.readExactly(socket.getInputStream(), line.length)).isEqualTo(line);
            assertThat(recorder.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS).proxyHeader()).isNull();
        } finally {
            engine.stop();
        }
    }
}
