package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Addresses: several listeners on one engine, Unix domain sockets, and clear errors for bad ones. */
class AddressTest {

    private static boolean ipv6LoopbackAvailable() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void assertEchoes(SocketAddress address, String text) throws IOException {
        try (Socket socket = TestServers.connect(address)) {
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            TestServers.write(socket, bytes);
            assertThat(TestServers.readExactly(socket.getInputStream(), bytes.length)).isEqualTo(bytes);
        }
    }

    @Test
    void rotateServesEveryAddressWithOneEngine() throws Exception {
        BufferPool pool = BufferPool.create();
        // IPv4 and IPv6 loopback when both exist, else two IPv4 listeners.
        List<String> addresses = ipv6LoopbackAvailable()
                ? List.of("tcp4://127.0.0.1:0", "tcp6://[::1]:0")
                : List.of("tcp://127.0.0.1:0", "tcp://127.0.0.1:0");
        Engine engine = Gnet.start(new TestServers.Echo(), addresses,
                Options.builder().numEventLoops(2).bufferPool(pool).build());
        try {
            assertThat(engine.addresses()).hasSize(2);
            for (SocketAddress bound : engine.addresses()) {
                assertThat(((InetSocketAddress) bound).getPort()).as("port chosen for %s", bound).isPositive();
                assertEchoes(bound, "hello " + bound);
            }
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo://x:1", "tcp://127.0.0.1", "tcp://127.0.0.1:99999", "tcp://[::1:80", "127.0.0.1:80", "unix://"})
    void startWithABadAddressThrowsIllegalArgumentNamingIt(String address) {
        Set<String> threadsBefore = TestServers.gnetjThreads();
        assertThatThrownBy(() -> Gnet.start(new TestServers.Echo(), address, Options.builder().build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(address);
        assertThat(TestServers.gnetjThreads()).as("threads left by a failed start").isSubsetOf(threadsBefore);
    }

    @Test
    void bindingABusyPortThrowsIOExceptionNamingTheAddressAndLeavesNothingBehind() throws Exception {
        Set<String> threadsBefore = TestServers.gnetjThreads();
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String address = "tcp://127.0.0.1:" + busy.getLocalPort();
            assertThatThrownBy(() -> Gnet.start(new TestServers.Echo(), address, Options.builder().build()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(address);

            // With a good address first: that listener is closed again when the second fails.
            int freePort;
            try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                freePort = probe.getLocalPort();
            }
            String good = "tcp://127.0.0.1:" + freePort;
            assertThatThrownBy(() -> Gnet.start(new TestServers.Echo(), List.of(good, address), Options.builder().build()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(address);
            Engine engine = Gnet.start(new TestServers.Echo(), good, Options.builder().build());
            engine.stop();
        }
        assertThat(TestServers.gnetjThreads()).as("threads left by a failed start").isSubsetOf(threadsBefore);
    }

    private static void assertUnixEchoes(Path path, String text) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            client.write(ByteBuffer.wrap(bytes));
            ByteBuffer got = ByteBuffer.allocate(bytes.length);
            while (got.hasRemaining()) {
                assertThat(client.read(got)).as("EOF before the echo").isNotNegative();
            }
            assertThat(got.array()).isEqualTo(bytes);
        }
    }

    @Test
    void unixDomainSocketEchoesAndItsFileIsRemovedOnStop(@TempDir Path dir) throws Exception {
        BufferPool pool = BufferPool.create();
        Path path = dir.resolve("echo.sock");
        Engine engine = Gnet.start(new TestServers.Echo(), "unix://" + path, Options.builder().bufferPool(pool).build());
        try {
            assertThat(engine.addresses()).containsExactly(UnixDomainSocketAddress.of(path));
            assertThat(path).exists();
            assertUnixEchoes(path, "over a unix socket");
            assertUnixEchoes(path, "and again");
        } finally {
            engine.stop();
        }
        assertThat(path).as("socket file after stop").doesNotExist();
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void staleUnixSocketFileIsReplaced(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("stale.sock");
        // A socket file left behind, as by a process that died: closing does not remove it.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        }
        assertThat(path).exists();
        Engine engine = Gnet.start(new TestServers.Echo(), "unix://" + path, Options.builder().build());
        try {
            assertUnixEchoes(path, "served despite the stale file");
        } finally {
            engine.stop();
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void unixAddressOnARegularFileIsRefused(@TempDir Path dir) throws Exception {
        Path path = Files.createFile(dir.resolve("not-a-socket"));
        String address = "unix://" + path;
        assertThatThrownBy(() -> Gnet.start(new TestServers.Echo(), address, Options.builder().build()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(address);
        assertThat(path).as("the regular file is left alone").exists();
    }
}
