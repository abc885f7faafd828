package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UdpTest {

    /** Echoes each datagram to its sender. */
    static final class UdpEcho implements EventHandler {
        final AtomicInteger datagrams = new AtomicInteger();

        @Override
        public Action onTraffic(Conn conn) {
            datagrams.incrementAndGet();
            conn.write(conn.next(-1));
            return Action.NONE;
        }
    }

    @Test
    void everyDatagramIsAnsweredToItsOwnSender() throws Exception {
        UdpEcho echo = new UdpEcho();
        Engine engine = Gnet.start(echo, "udp://127.0.0.1:0", Options.builder().numEventLoops(2).build());
        SocketAddress server = engine.addresses().get(0);
        int senders = 8;
        int perSender = 125;
        ExecutorService exec = Executors.newFixedThreadPool(senders);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int id = s;
                results.add(exec.submit(() -> {
                    int answered = 0;
                    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                        socket.setSoTimeout(200);
                        byte[] in = new byte[2048];
                        for (int i = 0; i < perSender; i++) {
                            byte[] out = ("sender-" + id + "-" + i).getBytes(StandardCharsets.US_ASCII);
                            // UDP may drop: retry a bounded number of times, then count it unanswered.
                            for (int attempt = 0; attempt < 20; attempt++) {
                                socket.send(new DatagramPacket(out, out.length, server));
                                DatagramPacket reply = new DatagramPacket(in, in.length);
                                try {
                                    socket.receive(reply);
                                } catch (java.net.SocketTimeoutException e) {
                                    continue;
                                }
                                String text = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
                                if (text.equals("sender-" + id + "-" + i)) {
                                    answered++;
                                    break;
                                }
                                assertThat(text).as("a reply meant for another sender").startsWith("sender-" + id + "-");
                            }
                        }
                    }
                    return answered;
                }));
            }
            int answered = 0;
            for (Future<Integer> f : results) {
                answered += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(answered).isEqualTo(senders * perSender);
            assertThat(echo.datagrams.get()).isGreaterThanOrEqualTo(senders * perSender);
        } finally {
            exec.shutdownNow();
            engine.stop();
        }
    }

    @Test
    void aDatagramNearTheMaximumSizeArrivesWhole() throws Exception {
        Engine engine = Gnet.start(new UdpEcho(), "udp://127.0.0.1:0", Options.defaults());
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(5_000);
            socket.setSendBufferSize(1 << 20);
            socket.setReceiveBufferSize(1 << 20);
            byte[] out = new byte[65_000];
            new java.util.Random(7).nextBytes(out);
            socket.send(new DatagramPacket(out, out.length, engine.addresses().get(0)));
            byte[] in = new byte[70_000];
            DatagramPacket reply = new DatagramPacket(in, in.length);
            socket.receive(reply);
            assertThat(reply.getLength()).isEqualTo(out.length);
            assertThat(java.util.Arrays.copyOf(in, reply.getLength())).isEqualTo(out);
        } finally {
            engine.stop();
        }
    }

    @Test
    void asyncWriteFromAnotherThreadReachesTheSender() throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                ByteBuffer copy = ByteBuffer.allocate(conn.inboundBuffered());
                conn.read(copy);
                copy.flip();
                worker.execute(() -> conn.asyncWrite(copy, null));
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(handler, "udp4://127.0.0.1:0", Options.defaults());
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(5_000);
            byte[] out = "later".getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(out, out.length, engine.addresses().get(0)));
            DatagramPacket reply = new DatagramPacket(new byte[64], 64);
            socket.receive(reply);
            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII)).isEqualTo("later");
        } finally {
            worker.shutdownNow();
            engine.stop();
        }
    }

    @Test
    void asyncWritesOfADatagramTheKernelRefusesReportTheRealFailure() throws Exception {
        // 65,520 bytes: past the largest UDP payload (65,507 over IPv4), under the 64 KiB scratch.
        int tooBig = 65_520;
        java.util.concurrent.BlockingQueue<Throwable> outcomes = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicReference<Conn> sender = new java.util.concurrent.atomic.AtomicReference<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.discard(-1);
                sender.set(conn);
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(handler, "udp4://127.0.0.1:0", Options.defaults());
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] hello = {1};
            socket.send(new DatagramPacket(hello, 1, engine.addresses().get(0)));
            TestServers.await("a datagram arrived", () -> sender.get() != null);
            Conn conn = sender.get();
            conn.asyncWrite(ByteBuffer.allocate(tooBig), (c, error) -> outcomes.add(error == null ? NO_ERROR : error));
            conn.asyncWritev(new ByteBuffer[] {ByteBuffer.allocate(tooBig / 2), ByteBuffer.allocate(tooBig / 2)},
                    (c, error) -> outcomes.add(error == null ? NO_ERROR : error));
            for (String call : java.util.List.of("asyncWrite", "asyncWritev")) {
                Throwable outcome = outcomes.poll(TestServers.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                assertThat(outcome).as(call + " of a datagram the kernel refuses").isInstanceOf(java.io.IOException.class);
                assertThat(outcome.getMessage()).as(call + ": the real reason, not a full buffer")
                        .doesNotContain("send buffer is full");
            }
        } finally {
            engine.stop();
        }
    }

    private static final Throwable NO_ERROR = new Throwable("no error");
}
