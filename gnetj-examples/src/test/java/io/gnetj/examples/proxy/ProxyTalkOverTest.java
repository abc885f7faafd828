package io.gnetj.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * An upstream that answers before it has read everything: it reads one byte, writes a long
 * answer, and only then reads the rest, while the client keeps sending and reads concurrently (a
 * blocking server answering a request while the next ones are pipelined behind it). Over a
 * direct connection TCP sorts this out: the client's sending is held back until the server
 * reads again, and its reading is never held back. A relay must do the same: hold back only the
 * direction whose receiver is slow, never the other.
 */
class ProxyTalkOverTest {

    private static final long ANSWER = 16L << 20;
    private static final long SENT = 16L << 20;
    /** No byte for this long: the pair is stuck for good. */
    private static final int STUCK_MILLIS = 10_000;

    @Test
    void directlyTheClientGetsTheWholeAnswerWhileItKeepsSending() throws Exception {
        AtomicLong upstreamGot = new AtomicLong();
        try (TestUpstream upstream = TestUpstream.start(s -> answerFirst(s, upstreamGot))) {
            int port = Integer.parseInt(upstream.address().substring(upstream.address().lastIndexOf(':') + 1));
            talkOver(port, () -> "direct");
            upstream.awaitFinished(1);
            assertThat(upstreamGot.get()).isEqualTo(SENT);
        }
    }

    /**
     * Got stuck for good before {@code Options.pauseReadingWhenUnwritable}: the engine paused
     * reading from a connection whose own outbound queue passed the high-water mark, so with the
     * queue towards the upstream full (it is busy writing its answer) the upstream's answer was
     * no longer read; the upstream then blocked on its write and never read again. The proxy now
     * turns that pause off and pauses only the other side of a pair.
     */
    @Test
    void throughTheProxyTheClientGetsTheWholeAnswerWhileItKeepsSending() throws Exception {
        AtomicLong upstreamGot = new AtomicLong();
        try (TestUpstream upstream = TestUpstream.start(s -> answerFirst(s, upstreamGot));
             ProxyTesting.Watched proxy = ProxyTesting.startWatched(upstream.address(), b -> b)) {
            talkOver(proxy.port(), () -> "the proxy has " + proxy.engine().countConnections()
                    + " connections open; " + proxy.watch().lastPairState());
            upstream.awaitFinished(1);
            assertThat(upstreamGot.get()).isEqualTo(SENT);
            ProxyTesting.awaitNoConnections(proxy.engine());
        }
    }

    /** Reads one byte, writes the whole answer, then reads (and checks) the rest until EOF. */
    private static void answerFirst(Socket s, AtomicLong got) throws IOException {
        s.setSoTimeout(STUCK_MILLIS);
        int first = s.getInputStream().read();
        assertThat(first).as("the first byte of the request").isNotNegative();
        got.incrementAndGet();
        PatternStream.write(s.getOutputStream(), 5, ANSWER, new AtomicLong());
        s.shutdownOutput();
        byte[] rest = new byte[64 * 1024];
        for (int n; (n = s.getInputStream().read(rest)) >= 0; ) {
            got.addAndGet(n);
        }
    }

    /** Sends {@link #SENT} bytes on a thread of its own while reading the answer; fails if it gets stuck. */
    private static void talkOver(int port, Supplier<String> diagnosis) throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        try (Socket client = ProxyTesting.connect(port)) {
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    PatternStream.write(client.getOutputStream(), 6, SENT, sent);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            client.setSoTimeout(STUCK_MILLIS);
            try {
                assertThat(PatternStream.verify(client.getInputStream(), 5, received)).isEqualTo(ANSWER);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("stuck: no byte of the answer for " + STUCK_MILLIS + " ms; the client got "
                        + received.get() + " of " + ANSWER + " answer bytes and sent " + sent.get() + " of " + SENT
                        + "; " + diagnosis.get(), e);
            }
            sending.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
