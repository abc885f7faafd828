package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport seam: which transport an engine runs on and why, and the epoll transport's own
 * promises on real sockets (TCP over IPv4 and IPv6, unix domain sockets, dials, refused and reset
 * connections, every descriptor closed once). The rest of the suite runs on both transports
 * (.ci/run's epoll pass); these tests pin what only one transport can show.
 */
class TransportTest {

    /** Whether this JVM can run the epoll transport: Linux x86-64/AArch64, JDK 22+ (native access is granted to tests). */
    static boolean epollRuns() {
        String arch = System.getProperty("os.arch", "");
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                && (arch.equals("amd64") || arch.equals("aarch64")) && Runtime.version().feature() >= 22;
    }

    private static Options epoll() {
        return Options.builder().transport(Transport.EPOLL).numEventLoops(2).build();
    }

    @TempDir
    Path dir;

    /**
     * The pass .ci/run makes on the epoll transport sets {@code io.gnetj.transport=auto} and
     * expects epoll: were the choice to fall back to NIO silently, the whole pass would test NIO.
     */
    @Test
    void theSuiteRunsOnTheTransportItWasToldToExpect() throws Exception {
        String expected = System.getProperty("gnetj.test.expectTransport", "");
        assumeTrue(!expected.isBlank(), "no -Dgnetj.test.expectTransport");
        Engine engine = Gnet.start(new TestServers.Echo(), "tcp://127.0.0.1:0", Options.defaults());
        try {
            assertThat(engine.transport()).isEqualTo(Transport.parse(expected));
        } finally {
            engine.stop();
        }
    }

    @Test
    void nioIsUsedWhenAskedFor() throws Exception {
        Engine engine = Gnet.start(new TestServers.Echo(), "tcp://127.0.0.1:0", Options.builder().transport(Transport.NIO).build());
        try {
            assertThat(engine.transport()).isEqualTo(Transport.NIO);
            echoOnce(engine.addresses().get(0));
        } finally {
            engine.stop();
        }
    }

    @Test
    void epollWhereItCannotRunFailsTheStartWithTheReason() {
        assumeTrue(!epollRuns(), "this JVM runs epoll");
        assertThatThrownBy(() -> Gnet.start(new TestServers.Echo(), "tcp://127.0.0.1:0",
                Options.builder().transport(Transport.EPOLL).build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the epoll transport cannot run here");
    }

    @Test
    void autoRunsNioWhereEpollCannotRun() throws Exception {
        assumeTrue(!epollRuns(), "this JVM runs epoll");
        Engine engine = Gnet.start(new TestServers.Echo(), "tcp://127.0.0.1:0", Options.builder().transport(Transport.AUTO).build());
        try {
            assertThat(engine.transport()).isEqualTo(Transport.NIO);
        } finally {
            engine.stop();
        }
    }

    @Test
    void udpAsksForNio() throws Exception {
        assertThatThrownBy(() -> Gnet.start(new TestServers.Echo(), "udp://127.0.0.1:0",
                Options.builder().transport(Transport.EPOLL).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UDP");
        Engine engine = Gnet.start(new TestServers.Echo(), "udp://127.0.0.1:0", Options.builder().transport(Transport.AUTO).build());
        try {
            assertThat(engine.transport()).isEqualTo(Transport.NIO);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aBadTransportPropertyIsAClearError() {
        assertThatThrownBy(() -> Transport.parse("kqueue")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected nio, epoll or auto");
        assertThat(Transport.parse(" EPOLL ")).isEqualTo(Transport.EPOLL);
    }

    @Test
    void epollServesTcpOverIpv4AndIpv6AndUnixSockets() throws Exception {
        assumeTrue(epollRuns(), "epoll needs Linux and JDK 22+");
        Path socketFile = dir.resolve("e.sock");
        List<String> addresses = new ArrayList<>(List.of("tcp://127.0.0.1:0", "unix://" + socketFile));
        boolean ipv6 = hasIpv6Loopback();
        if (ipv6) {
            addresses.add("tcp6://[::1]:0");
        }
        Engine engine = Gnet.start(new TestServers.Echo(), addresses, epoll());
        try {
            assertThat(engine.transport()).isEqualTo(Transport.EPOLL);
            echoOnce(engine.addresses().get(0));
            try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                unix.connect(UnixDomainSocketAddress.of(socketFile));
                unix.write(ByteBuffer.wrap("unix\n".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer back = ByteBuffer.allocate(5);
                while (back.hasRemaining() && unix.read(back) >= 0) {
                    // blocking read until 5 bytes
                }
                assertThat(new String(back.array(), StandardCharsets.US_ASCII)).isEqualTo("unix\n");
            }
            if (ipv6) {
                echoOnce(engine.addresses().get(2));
            }
        } finally {
            engine.stop();
        }
        assertThat(Files.exists(socketFile)).as("socket file removed at stop").isFalse();
    }

    /** The peers' addresses are what NIO reports: IPv4 as IPv4 (not ::ffff:a.b.c.d), with ports. */
    @Test
    void epollReportsTheSameAddressesAsNio() throws Exception {
        assumeTrue(epollRuns(), "epoll needs Linux and JDK 22+");
        CompletableFuture<String> seen = new CompletableFuture<>();
        Engine engine = Gnet.start(new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                seen.complete(conn.remoteAddress() + " " + conn.localAddress());
                return Action.NONE;
            }
        }, "tcp://127.0.0.1:0", epoll());
        try (Socket client = TestServers.connect(engine)) {
            String expected = client.getLocalSocketAddress() + " " + client.getRemoteSocketAddress();
            assertThat(seen.get(20, TimeUnit.SECONDS)).isEqualTo(expected);
        } finally {
            engine.stop();
        }
    }

    /** Megabytes each way over many connections at once, byte-identical (SHA-256), on both loops. */
    @Test
    void epollMovesBytesIntactUnderLoad() throws Exception {
        assumeTrue(epollRuns(), "epoll needs Linux and JDK 22+");
        Engine engine = Gnet.start(new TestServers.Echo(), "tcp://127.0.0.1:0", epoll());
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int seed = c;
                done.add(clients.submit(() -> {
                    streamAndCompare(engine, seed, 4 << 20);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
            engine.stop();
        }
    }

    /**
     * Descriptors are closed exactly once: thousands of short connections open and close (the
     * kernel reuses their numbers at once) while one long connection streams; a close that hit a
     * reused number would break the long one. Afterwards the process holds the descriptors it
     * held before.
     */
    @Test
    void descriptorsAreClosedOnceAndNoneLeak() throws Exception {
        assumeTrue(epollRuns(), "epoll needs Linux and JDK 22+");
        // The JDK keeps one socket for life, made the first time it closes a socket of its own
        // (its pre-close descriptor): have it made before the baseline is taken.
        SocketChannel.open().close();
        java.util.Set<String> before = descriptors();
        Engine engine = Gnet.start(new TestServers.Echo(), "tcp://127.0.0.1:0", epoll());
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            Future<?> longOne = clients.submit(() -> {
                streamAndCompare(engine, 99, 16 << 20);
                return null;
            });
            List<Future<?>> churn = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                churn.add(clients.submit(() -> {
                    for (int i = 0; i < 1500; i++) {
                        try (Socket s = TestServers.connect(engine)) {
                            if (i % 3 == 0) {
                                s.setSoLinger(true, 0); // a reset, not a FIN
                            } else if (i % 3 == 1) {
                                echoOn(s, "x" + i);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : churn) {
                f.get(90, TimeUnit.SECONDS);
            }
            longOne.get(90, TimeUnit.SECONDS);
            TestServers.await("every connection closed on the server", () -> engine.metrics().connections() == 0);
        } finally {
            clients.shutdownNow();
            engine.stop();
        }
        java.util.Set<String> was = before;
        long deadline = System.nanoTime() + TestServers.WAIT.toNanos();
        java.util.Set<String> extra = new java.util.TreeSet<>();
        while (System.nanoTime() - deadline < 0) {
            extra = new java.util.TreeSet<>(descriptors());
            extra.removeAll(was);
            if (extra.stream().noneMatch(d -> d.contains("socket:"))) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(extra).as("sockets still open after the engine stopped").noneMatch(d -> d.contains("socket:"));
    }

    @Test
    void epollDialsAndReportsARefusedConnect() throws Exception {
        assumeTrue(epollRuns(), "epoll needs Linux and JDK 22+");
        int freePort;
        try (ServerSocket probe = new ServerSocket(0)) {
            freePort = probe.getLocalPort();
        }
        AtomicReference<String> got = new AtomicReference<>();
        Client client = Client.start(new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                ByteBuffer in = conn.next(-1);
                byte[] bytes = new byte[in.remaining()];
                in.get(bytes);
                got.set(new String(bytes, StandardCharsets.US_ASCII));
                return Action.NONE;
            }
        }, epoll());
        Engine engine = Gnet.start(new TestServers.Echo(), "tcp://127.0.0.1:0", epoll());
        try {
            assertThat(client.transport()).isEqualTo(Transport.EPOLL);
            Conn conn = client.dial("tcp://127.0.0.1:" + TestServers.port(engine));
            conn.asyncWrite("dialed".getBytes(StandardCharsets.US_ASCII), null);
            TestServers.await("the echo of what the dialed connection sent", () -> "dialed".equals(got.get()));
            CompletableFuture<Conn> refused = client.dialAsync("tcp://127.0.0.1:" + freePort, null);
            assertThatThrownBy(() -> refused.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ConnectException.class);
            // A UDP dial needs NIO: a clear error, not a crash.
            assertThatThrownBy(() -> client.dial("udp://127.0.0.1:9")).hasMessageContaining("UDP needs Transport.NIO");
        } finally {
            client.stop();
            engine.stop();
        }
    }

    /**
     * {@code auto} without native access granted runs NIO and the JDK prints no restricted-method
     * warning; {@code epoll} asked for explicitly runs (the JDK warns once, as it should). Child
     * JVMs on this JDK, without the flag the tests get.
     */
    @Test
    void autoWithoutNativeAccessRunsNioWithNoWarning() throws Exception {
        assumeTrue(epollRuns(), "epoll needs Linux and JDK 22+");
        String auto = runChild("auto");
        assertThat(auto).contains("TRANSPORT NIO").contains("native access is not enabled")
                .doesNotContain("restricted method").doesNotContain("WARNING");
        String asked = runChild("epoll");
        assertThat(asked).contains("TRANSPORT EPOLL");
    }

    private static String runChild(String transport) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-Dio.gnetj.transport=" + transport, "-cp", System.getProperty("java.class.path"),
                TransportChild.class.getName())
                .redirectErrorStream(true).start();
        String out;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            CompletableFuture<String> all = CompletableFuture.supplyAsync(() -> reader.lines().collect(Collectors.joining("\n")));
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child JVM (" + transport + ") exited").isTrue();
            out = all.get(10, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("child exit status; output:\n" + out).isZero();
        return out;
    }

    // ---- helpers ----

    private static boolean hasIpv6Loopback() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void echoOnce(java.net.SocketAddress address) throws IOException {
        try (Socket s = TestServers.connect(address)) {
            echoOn(s, "hello over " + address);
        }
    }

    private static void echoOn(Socket s, String text) throws IOException {
        byte[] line = text.getBytes(StandardCharsets.US_ASCII);
        TestServers.write(s, line);
        assertThat(TestServers.readExactly(s.getInputStream(), line.length)).isEqualTo(line);
    }

    /** Writes {@code total} seeded random bytes while reading the echo on another thread; compares digests. */
    private static void streamAndCompare(Engine engine, int seed, int total) throws Exception {
        try (Socket s = TestServers.connect(engine)) {
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[65536];
                    int got = 0;
                    while (got < total) {
                        int n = in.read(buf, 0, Math.min(buf.length, total - got));
                        if (n < 0) {
                            throw new IOException("EOF after " + got + " of " + total + " echoed bytes");
                        }
                        received.update(buf, 0, n);
                        got += n;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Random random = new Random(seed);
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[8192 + seed];
            for (int sentBytes = 0; sentBytes < total; ) {
                random.nextBytes(chunk);
                int n = Math.min(chunk.length, total - sentBytes);
                out.write(chunk, 0, n);
                sent.update(chunk, 0, n);
                sentBytes += n;
            }
            out.flush();
            reader.get(60, TimeUnit.SECONDS);
            assertThat(received.digest()).as("echoed bytes' SHA-256").isEqualTo(sent.digest());
        }
    }

    /** This process's descriptors, each as "N -> what it is" (sockets read "socket:[inode]"). */
    private static java.util.Set<String> descriptors() throws IOException {
        java.util.Set<String> all = new java.util.TreeSet<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    all.add(fd.getFileName() + " -> " + Files.readSymbolicLink(fd));
                } catch (IOException e) {
                    // closed while listed
                }
            }
        }
        return all;
    }
}
