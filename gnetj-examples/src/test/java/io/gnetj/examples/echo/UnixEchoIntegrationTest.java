package io.gnetj.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.RunningServer;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixEchoIntegrationTest {

    private static final int CLIENTS = 100;
    private static final int BYTES_PER_CLIENT = 32 * 1024;

    @TempDir
    Path dir;

    @Test
    void hundredConcurrentClientsGetEveryByteBackAndTheSocketFileGoesOnStop() throws Exception {
        Path socket = dir.resolve("echo.sock");
        RunningServer server = RunningServer.start(new UnixEchoExample(), "path", socket.toString());
        try {
            assertThat(server.address()).isEqualTo("unix://" + socket);
            assertThat(socket).exists();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try {
                CountDownLatch ready = new CountDownLatch(CLIENTS);
                List<Future<Integer>> results = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    results.add(clients.submit(() -> echoOnce(socket, client, ready)));
                }
                for (Future<Integer> r : results) {
                    assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo(BYTES_PER_CLIENT);
                }
            } finally {
                clients.shutdownNow();
            }
        } finally {
            server.close();
        }
        assertThat(Files.exists(socket)).as("socket file removed on stop").isFalse();
    }

    /**
     * Connects, waits until every client is connected, writes its bytes, reads them back. Writing
     * everything before reading is safe: 32 KiB fits the server's outbound buffer, so the server
     * never stops reading.
     */
    private static int echoOnce(Path socket, int client, CountDownLatch ready) throws Exception {
        byte[] data = new byte[BYTES_PER_CLIENT];
        new Random(client).nextBytes(data);
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ready.countDown();
            ready.await(30, TimeUnit.SECONDS);
            ByteBuffer out = ByteBuffer.wrap(data);
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(BYTES_PER_CLIENT);
            while (in.hasRemaining()) {
                if (ch.read(in) < 0) {
                    throw new AssertionError("client " + client + ": EOF after " + in.position() + " bytes");
                }
            }
            assertThat(in.array()).as("client %d's bytes", client).isEqualTo(data);
            return in.position();
        }
    }

    @Test
    void socatGetsItsLineBack() throws Exception {
        ExternalClient.require("socat", "socat");
        Path socket = dir.resolve("socat.sock");
        try (RunningServer server = RunningServer.start(new UnixEchoExample(), "path", socket.toString())) {
            // -t2: after stdin ends, wait up to 2 s for the server's bytes.
            ExternalClient.Result r = ExternalClient.run(Duration.ofSeconds(20),
                    List.of("socat", "-t2", "-", "UNIX-CONNECT:" + socket),
                    "hello over a unix socket\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).isEqualTo("hello over a unix socket\n");
        }
    }
}
