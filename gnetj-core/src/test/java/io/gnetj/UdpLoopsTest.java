package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A UDP server uses every event loop by default on Linux: each loop has its own
 * {@code SO_REUSEPORT} socket on the same address and the kernel spreads senders over them.
 */
class UdpLoopsTest {

    private static final int LOOPS = 4;
    private static final int CLIENTS = 64;
    private static final int ROUNDS = 10;

    /** Echoes each datagram and records which loop served which sender. */
    private static final class LoopRecordingEcho implements EventHandler {
        final Set<Integer> loopsSeen = ConcurrentHashMap.newKeySet();
        final Map<SocketAddress, Set<Integer>> loopsBySender = new ConcurrentHashMap<>();
        final AtomicInteger datagrams = new AtomicInteger();

        @Override
        public Action onTraffic(Conn conn) {
            int loop = conn.eventLoop().index();
            loopsSeen.add(loop);
            loopsBySender.computeIfAbsent(conn.remoteAddress(), a -> ConcurrentHashMap.newKeySet()).add(loop);
            datagrams.incrementAndGet();
            conn.write(conn.next(-1));
            return Action.NONE;
        }
    }

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    @Test
    void datagramsFromManySendersAreServedOnSeveralLoopsAndEveryOneIsAnswered() throws Exception {
        assumeTrue(linux(), "SO_REUSEPORT spreads UDP datagrams over sockets on Linux only");
        LoopRecordingEcho echo = new LoopRecordingEcho();
        Engine engine = Gnet.start(echo, "udp://127.0.0.1:0", Options.builder().numEventLoops(LOOPS).build());
        SocketAddress server = engine.addresses().get(0);
        List<DatagramSocket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                client.setSoTimeout((int) TestServers.WAIT.toMillis());
                clients.add(client);
            }
            byte[] in = new byte[64];
            int answered = 0;
            // One datagram in flight per client and round: far below any socket buffer, so on
            // loopback none may be lost, and none is retried.
            for (int round = 0; round < ROUNDS; round++) {
                for (int c = 0; c < CLIENTS; c++) {
                    byte[] out = ("c" + c + "-r" + round).getBytes(StandardCharsets.US_ASCII);
                    clients.get(c).send(new DatagramPacket(out, out.length, server));
                }
                for (int c = 0; c < CLIENTS; c++) {
                    DatagramPacket reply = new DatagramPacket(in, in.length);
                    clients.get(c).receive(reply);
                    assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII))
                            .isEqualTo("c" + c + "-r" + round);
                    answered++;
                }
            }
            assertThat(answered).isEqualTo(CLIENTS * ROUNDS);
            assertThat(echo.datagrams.get()).as("datagrams received").isEqualTo(CLIENTS * ROUNDS);
            assertThat(echo.loopsSeen).as("loops that received datagrams").hasSizeGreaterThan(1);
            assertThat(engine.addresses()).as("one address, however many sockets").hasSize(1);
            for (Map.Entry<SocketAddress, Set<Integer>> sender : echo.loopsBySender.entrySet()) {
                assertThat(sender.getValue()).as("loops that served " + sender.getKey() + " (one sender, one socket)")
                        .hasSize(1);
            }
        } finally {
            for (DatagramSocket client : clients) {
                client.close();
            }
            engine.stop();
        }
    }

    @Test
    void aSecondEngineCannotShareTheUdpPortWithoutReusePortWhenItWasBoundFirst() throws Exception {
        // The per-loop sockets set SO_REUSEPORT; a plain socket bound later must still be refused,
        // so a second server on the same port fails loudly instead of silently sharing datagrams.
        Engine engine = Gnet.start(new LoopRecordingEcho(), "udp://127.0.0.1:0", Options.builder().numEventLoops(2).build());
        try {
            InetSocketAddress bound = (InetSocketAddress) engine.addresses().get(0);
            try (DatagramSocket plain = new DatagramSocket(null)) {
                plain.setReuseAddress(false);
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> plain.bind(bound))
                        .isInstanceOf(java.net.BindException.class);
            }
        } finally {
            engine.stop();
        }
    }
}
