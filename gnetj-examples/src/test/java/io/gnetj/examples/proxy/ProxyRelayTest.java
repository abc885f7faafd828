package io.gnetj.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.RunningServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The proxy between real loopback sockets: a plain blocking client on one side, a plain blocking
 * {@link TestUpstream} on the other. Every byte must arrive, in order, both ways; a FIN must pass
 * through while the other direction goes on; a pair must never outlive either side.
 */
class ProxyRelayTest {

    private static final long EIGHT_MIB = 8L << 20;

    @Test
    void bytesPassBothWaysByteIdenticalWhileBothSidesSendAtOnce() throws Exception {
        AtomicLong upstreamGot = new AtomicLong();
        try (TestUpstream upstream = TestUpstream.start(s -> {
            // Sends its own stream while checking the client's: both directions at once.
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    PatternStream.write(s.getOutputStream(), 2, EIGHT_MIB, new AtomicLong());
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(PatternStream.verify(s.getInputStream(), 1, upstreamGot)).isEqualTo(EIGHT_MIB);
            sending.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS);
        });
             RunningServer proxy = ProxyTesting.start(upstream.address());
             Socket client = ProxyTesting.connect(proxy.port())) {
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    PatternStream.write(client.getOutputStream(), 1, EIGHT_MIB, new AtomicLong());
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long got = PatternStream.verify(client.getInputStream(), 2, new AtomicLong());
            sending.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(got).as("bytes the client received from the upstream").isEqualTo(EIGHT_MIB);
            upstream.awaitFinished(1);
            assertThat(upstreamGot.get()).as("bytes the upstream received from the client").isEqualTo(EIGHT_MIB);
            ProxyTesting.awaitNoConnections(proxy);
        }
    }

    @Test
    void aFinFromTheClientReachesTheUpstreamWhichCanStillReply() throws Exception {
        try (TestUpstream upstream = TestUpstream.start(s -> {
            byte[] request = s.getInputStream().readAllBytes(); // returns at the FIN the proxy passed on
            s.getOutputStream().write(("got " + request.length + " bytes: " + ascii(request)).getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).as("nothing after the client's FIN").isEqualTo(-1);
        });
             RunningServer proxy = ProxyTesting.start(upstream.address());
             Socket client = ProxyTesting.connect(proxy.port())) {
            client.getOutputStream().write("hello, upstream".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            byte[] reply = client.getInputStream().readAllBytes();
            assertThat(ascii(reply)).isEqualTo("got 15 bytes: hello, upstream");
            upstream.awaitFinished(1);
            ProxyTesting.awaitNoConnections(proxy);
        }
    }

    @Test
    void aFinFromTheUpstreamReachesTheClientWhichCanStillSend() throws Exception {
        CompletableFuture<String> upstreamGot = new CompletableFuture<>();
        try (TestUpstream upstream = TestUpstream.start(s -> {
            s.getOutputStream().write("hello, I am done talking".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            upstreamGot.complete(ascii(s.getInputStream().readAllBytes()));
        });
             RunningServer proxy = ProxyTesting.start(upstream.address());
             Socket client = ProxyTesting.connect(proxy.port())) {
            byte[] greeting = client.getInputStream().readAllBytes(); // ends at the upstream's FIN
            assertThat(ascii(greeting)).isEqualTo("hello, I am done talking");
            client.getOutputStream().write("but I still am".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(upstreamGot.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("but I still am");
            upstream.awaitFinished(1);
            ProxyTesting.awaitNoConnections(proxy);
        }
    }

    @Test
    void theUpstreamClosingClosesTheClientAfterWhatItSent() throws Exception {
        try (TestUpstream upstream = TestUpstream.start(s -> {
            s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
            s.setSoLinger(true, 0); // a reset, not a FIN: the pair must still end, and "bye" still arrive
            s.getOutputStream().flush();
        });
             RunningServer proxy = ProxyTesting.start(upstream.address());
             Socket client = ProxyTesting.connect(proxy.port())) {
            upstream.awaitFinished(1);
            InputStream in = client.getInputStream();
            byte[] got = new byte[3];
            int n = 0;
            try {
                for (int r; n < 3 && (r = in.read(got, n, 3 - n)) > 0; ) {
                    n += r;
                }
                assertThat(in.read()).as("end of stream after the upstream left").isEqualTo(-1);
            } catch (SocketException e) {
                // a reset may overtake "bye" on the upstream side; the client must be closed either way
            }
            ProxyTesting.awaitNoConnections(proxy);
        }
    }

    @Test
    void clientsThatLeaveAtOnceLeaveNoConnectionBehind() throws Exception {
        try (TestUpstream upstream = TestUpstream.start(TestUpstream::readUntilEof);
             RunningServer proxy = ProxyTesting.start(upstream.address())) {
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Socket s = ProxyTesting.connect(proxy.port());
                if (i % 2 == 0) {
                    s.getOutputStream().write(new byte[100]);
                }
                if (i % 4 == 0) {
                    s.setSoLinger(true, 0); // some with a reset
                }
                clients.add(s);
                if (i % 3 == 0) {
                    s.close(); // some while the upstream is still being dialed
                }
            }
            for (Socket s : clients) {
                s.close();
            }
            ProxyTesting.awaitNoConnections(proxy);
            Waits.until("every upstream connection the proxy made ended",
                    () -> upstream.accepted() > 0 && upstream.finished() == upstream.accepted());
            upstream.awaitFinished(upstream.accepted());
        }
    }

    @Test
    void anUnreachableUpstreamClosesTheClientPromptlyAndTheLogSaysWhy() throws Exception {
        int refusing;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = s.getLocalPort(); // closed again: nothing listens there now
        }
        Logger logger = Logger.getLogger(ProxyHandler.class.getName());
        List<String> warnings = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    synchronized (warnings) {
                        warnings.add(r.getMessage());
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        String upstream = "tcp://127.0.0.1:" + refusing;
        try (RunningServer proxy = ProxyTesting.start(upstream);
             Socket client = ProxyTesting.connect(proxy.port())) {
            client.setSoTimeout(5_000);
            long start = System.nanoTime();
            try {
                assertThat(client.getInputStream().read()).as("the client's stream ends").isEqualTo(-1);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the client was not closed within 5 s of the refused dial", e);
            } catch (SocketException reset) {
                // closed with a reset: closed all the same
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            ProxyTesting.awaitNoConnections(proxy);
            Waits.until("the proxy's warning about the refused dial", () -> {
                synchronized (warnings) {
                    return !warnings.isEmpty();
                }
            });
            synchronized (warnings) {
                assertThat(warnings).hasSize(1);
                assertThat(warnings.get(0)).contains("cannot be reached", upstream, "refused",
                        "/127.0.0.1:" + client.getLocalPort());
            }
            System.out.println("client closed " + millis + " ms after connecting to a proxy whose upstream refuses: "
                    + warnings.get(0));
        } finally {
            logger.removeHandler(capture);
        }
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
