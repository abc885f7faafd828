package io.gnetj.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.RunningServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UdpEchoIntegrationTest {

    private static final int SENDERS = 8;
    private static final int DATAGRAMS_PER_SENDER = 125;
    /** UDP may drop a datagram even on loopback: each one is sent again this often at most. */
    private static final int MAX_TRIES = 10;

    @Test
    void everyDatagramComesBackToItsOwnSender() throws Exception {
        try (RunningServer server = RunningServer.start(new UdpEchoExample())) {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.port());
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int s = 0; s < SENDERS; s++) {
                    int sender = s;
                    results.add(senders.submit(() -> pingPong(sender, target)));
                }
                int echoed = 0;
                for (Future<Integer> r : results) {
                    echoed += r.get(60, TimeUnit.SECONDS);
                }
                assertThat(echoed).isEqualTo(SENDERS * DATAGRAMS_PER_SENDER);
            } finally {
                senders.shutdownNow();
            }
        }
    }

    /** Sends this sender's datagrams one at a time; each must come back, whole, to this socket. */
    private static int pingPong(int sender, InetSocketAddress target) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(500);
            byte[] in = new byte[2048];
            int echoed = 0;
            for (int seq = 0; seq < DATAGRAMS_PER_SENDER; seq++) {
                byte[] out = ("sender " + sender + " datagram " + seq + " " + "x".repeat(seq)).getBytes(StandardCharsets.US_ASCII);
                String expected = new String(out, StandardCharsets.US_ASCII);
                boolean answered = false;
                for (int attempt = 0; attempt < MAX_TRIES && !answered; attempt++) {
                    socket.send(new DatagramPacket(out, out.length, target));
                    answered = awaitEcho(socket, in, sender, expected);
                }
                assertThat(answered).as("echo of '%s' within %d tries", expected, MAX_TRIES).isTrue();
                echoed++;
            }
            return echoed;
        }
    }

    /** Waits for {@code expected}, skipping late echoes of this sender's earlier (resent) datagrams. */
    private static boolean awaitEcho(DatagramSocket socket, byte[] in, int sender, String expected) throws Exception {
        while (true) {
            DatagramPacket p = new DatagramPacket(in, in.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException lost) {
                return false;
            }
            String got = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
            assertThat(got).as("a datagram sent by another socket reached this one").startsWith("sender " + sender + " ");
            if (got.equals(expected)) {
                return true;
            }
        }
    }

    @Test
    void netcatGetsItsDatagramBack() throws Exception {
        ExternalClient.require("nc", "netcat-openbsd");
        try (RunningServer server = RunningServer.start(new UdpEchoExample())) {
            // -w2: wait up to 2 s for the reply after stdin ends (-q alone quits at once over UDP).
            ExternalClient.Result r = ExternalClient.run(Duration.ofSeconds(20),
                    List.of("nc", "-u", "-w2", "127.0.0.1", Integer.toString(server.port())),
                    "hello over udp\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).isEqualTo("hello over udp\n");
        }
    }
}
