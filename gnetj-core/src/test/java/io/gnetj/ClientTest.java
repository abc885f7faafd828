package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientTest {

    /** Collects what each client connection receives, as text, and counts opens and closes. */
    static final class Collector implements EventHandler {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public Action onOpen(Conn conn) {
            opened.incrementAndGet();
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            ByteBuffer bytes = conn.next(-1);
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            received.add(new String(copy, StandardCharsets.US_ASCII));
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            closed.incrementAndGet();
            return Action.NONE;
        }

        String poll() throws InterruptedException {
            String s = received.poll(20, TimeUnit.SECONDS);
            assertThat(s).as("a reply within 20 s").isNotNull();
            return s;
        }
    }

    private static void roundTrip(String serverAddress, String scheme) throws Exception {
        Engine server = Gnet.start(new TestServers.Echo(), serverAddress, Options.defaults());
        Collector collector = new Collector();
        // UDP dials need the NIO transport (the epoll transport serves stream sockets only).
        Transport transport = scheme.startsWith("udp") ? Transport.NIO : Options.defaults().transport();
        Client client = Client.start(collector, Options.builder().numEventLoops(2).transport(transport).build());
        try {
            String target = scheme + "://" + addressText(server);
            Conn conn = client.dial(target, "ctx");
            assertThat(collector.opened.get()).as("onOpen ran before dial returned").isEqualTo(1);
            assertThat((String) conn.context()).isEqualTo("ctx");
            conn.asyncWrite(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)), null);
            assertThat(collector.poll()).isEqualTo("ping");
        } finally {
            client.stop();
            server.stop();
        }
        assertThat(collector.closed.get()).as("onClose for the dialed connection on stop").isEqualTo(1);
    }

    private static String addressText(Engine engine) {
        Object address = engine.addresses().get(0);
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            return "127.0.0.1:" + inet.getPort();
        }
        return address.toString();
    }

    @Test
    void tcpRoundTrip() throws Exception {
        roundTrip("tcp://127.0.0.1:0", "tcp");
    }

    @Test
    void udpRoundTrip() throws Exception {
        roundTrip("udp://127.0.0.1:0", "udp");
    }

    @Test
    void unixRoundTrip(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("echo.sock");
        Engine server = Gnet.start(new TestServers.Echo(), "unix://" + socket, Options.defaults());
        Collector collector = new Collector();
        Client client = Client.start(collector, Options.defaults());
        try {
            Conn conn = client.dial("unix://" + socket);
            conn.asyncWrite(ByteBuffer.wrap("over a unix socket".getBytes(StandardCharsets.US_ASCII)), null);
            assertThat(collector.poll()).isEqualTo("over a unix socket");
        } finally {
            client.stop();
            server.stop();
        }
        assertThat(Files.exists(socket)).as("socket file removed on stop").isFalse();
    }

    @Test
    void aThousandConcurrentDialsAllOpen() throws Exception {
        Engine server = TestServers.start(new TestServers.Echo(), Options.builder().numEventLoops(2).build());
        Collector collector = new Collector();
        Client client = Client.start(collector, Options.builder().numEventLoops(2).build());
        try {
            String target = "tcp://127.0.0.1:" + TestServers.port(server);
            List<CompletableFuture<Conn>> dials = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                dials.add(client.dialAsync(target, i));
            }
            CompletableFuture.allOf(dials.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            assertThat(collector.opened.get()).isEqualTo(1000);
            TestServers.await("the server sees 1000 connections", () -> server.countConnections() == 1000);
            assertThat(client.countConnections()).isEqualTo(1000);
        } finally {
            client.stop();
            server.stop();
        }
        assertThat(collector.closed.get()).isEqualTo(1000);
        assertThat(client.countConnections()).isZero();
    }

    @Test
    void dialingAClosedPortFailsWithAConnectExceptionNamingTheAddress() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        Client client = Client.start(new Collector(), Options.defaults());
        try {
            String target = "tcp://127.0.0.1:" + port;
            assertThatThrownBy(() -> client.dial(target))
                    .isInstanceOf(ConnectException.class)
                    .hasMessageContaining(target);
            assertThat(client.countConnections()).isZero();
        } finally {
            client.stop();
        }
    }

    @Test
    void malformedDialAddressesFailFast() throws Exception {
        Client client = Client.start(new Collector(), Options.defaults());
        try {
            assertThatThrownBy(() -> client.dial("tcp://127.0.0.1")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tcp://127.0.0.1");
            assertThatThrownBy(() -> client.dial("http://127.0.0.1:80")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown scheme");
        } finally {
            client.stop();
        }
    }

    @Test
    void aDialThatGetsNoAnswerTimesOut() throws Exception {
        // A listener that never accepts and whose backlog is full drops further SYNs (Linux), so a
        // dial to it gets no answer: the only loopback way to make a connect hang.
        try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(silent.getLocalSocketAddress(), 200);
                        fillers.add(s);
                    } catch (IOException e) {
                        s.close();
                        break;
                    }
                }
                Client client = Client.start(new Collector(),
                        Options.builder().connectTimeout(Duration.ofMillis(300)).build());
                try {
                    String target = "tcp://127.0.0.1:" + silent.getLocalPort();
                    long start = System.nanoTime();
                    Throwable failure = null;
                    try {
                        client.dial(target).close();
                    } catch (ConnectException e) {
                        failure = e;
                    }
                    Assumptions.assumeTrue(failure != null, "this kernel completed the connect despite a full backlog");
                    assertThat(failure).hasMessageContaining("connectTimeout");
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                } finally {
                    client.stop();
                }
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void enrollAdoptsAConnectedChannel() throws Exception {
        Engine server = TestServers.start(new TestServers.Echo(), Options.defaults());
        Collector collector = new Collector();
        // enroll adopts a channel the JDK made: the NIO transport's.
        Client client = Client.start(collector, Options.builder().transport(Transport.NIO).build());
        try {
            SocketChannel channel = SocketChannel.open(server.addresses().get(0));
            Conn conn = client.enroll(channel, "adopted");
            assertThat((String) conn.context()).isEqualTo("adopted");
            conn.asyncWrite(ByteBuffer.wrap("enrolled".getBytes(StandardCharsets.US_ASCII)), null);
            assertThat(collector.poll()).isEqualTo("enrolled");
        } finally {
            client.stop();
            server.stop();
        }
    }
}
