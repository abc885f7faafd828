package io.gnetj.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.RunningServer;
import io.gnetj.examples.echo.EchoExample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The proxy in front of the echo example, with a client that keeps sending while it does not read
 * for a while (a hiccup: a GC pause, a busy consumer), then reads everything. Sent directly to the
 * echo example this works: the echo stops reading at its high-water mark and resumes once the
 * client reads. Through a relay the two directions of a pair must not hold each other up: once
 * the client reads, every byte must come back.
 */
class ProxyEchoUpstreamTest {

    private static final long SENT = 32L << 20;
    /** No byte for this long once the client reads: the pair is stuck for good. */
    private static final int STUCK_MILLIS = 10_000;

    @Test
    void directlyToTheEchoAClientThatReadsLateGetsEverythingBack() throws Exception {
        try (RunningServer echo = RunningServer.start(new EchoExample())) {
            sendThenReadLate(echo.port(), echo);
        }
    }

    @Test
    void throughTheProxyAClientThatReadsLateGetsEverythingBack() throws Exception {
        try (RunningServer echo = RunningServer.start(new EchoExample());
             RunningServer proxy = ProxyTesting.start(echo.address())) {
            sendThenReadLate(proxy.port(), proxy);
            ProxyTesting.awaitNoConnections(proxy);
        }
    }

    private static void sendThenReadLate(int port, RunningServer server) throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        try (Socket client = ProxyTesting.connect(port)) {
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    PatternStream.write(client.getOutputStream(), 3, SENT, sent);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Stall stall = new Stall(sent);
            Waits.until("the client's sending to be held back while it does not read (" + sent.get() + " bytes out)",
                    () -> stall.forNanos(TimeUnit.SECONDS.toNanos(1)));
            long heldAt = sent.get();
            client.setSoTimeout(STUCK_MILLIS);
            try {
                long got = PatternStream.verify(client.getInputStream(), 3, received);
                assertThat(got).isEqualTo(SENT);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("stuck: no byte for " + STUCK_MILLIS + " ms after the client started reading;"
                        + " it sent " + sent.get() + " of " + SENT + " bytes (held back at " + heldAt + ") and got "
                        + received.get() + " back; " + server.engine().countConnections() + " connections open", e);
            }
            sending.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS);
            System.out.printf("%s: client held back after sending %d KiB, then got all %d MiB back%n",
                    server.address(), heldAt >> 10, SENT >> 20);
        }
    }

    /**
     * Tells whether a counter has stopped moving. Threading: one polling thread.
     */
    private static final class Stall {
        private final AtomicLong progress;
        private long lastValue = -1;
        private long lastChange;

        Stall(AtomicLong progress) {
            this.progress = progress;
        }

        /** Whether the counter is past zero and has not moved for {@code nanos}; call repeatedly. */
        boolean forNanos(long nanos) {
            long now = System.nanoTime();
            long v = progress.get();
            if (v != lastValue) {
                lastValue = v;
                lastChange = now;
                return false;
            }
            return v > 0 && now - lastChange >= nanos;
        }
    }
}
