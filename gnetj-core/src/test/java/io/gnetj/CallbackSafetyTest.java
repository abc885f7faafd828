package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A failure inside a callback (a flush into a dead socket, a send that fails) is acted on once
 * the callback returns: {@code onClose} never runs nested in {@code onTraffic}/{@code onOpen},
 * and the views the handler holds keep their bytes until then.
 */
class CallbackSafetyTest {

    @Test
    void aFlushIntoAResetSocketClosesOnlyAfterOnTrafficReturned() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch reset = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicBoolean inTraffic = new AtomicBoolean();
        AtomicBoolean nested = new AtomicBoolean();
        AtomicReference<String> viewAfterFlush = new AtomicReference<>();
        AtomicReference<Throwable> cause = new AtomicReference<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                inTraffic.set(true);
                try {
                    ByteBuffer view = conn.next(-1);
                    arrived.countDown();
                    await(reset);
                    conn.write("late".getBytes(StandardCharsets.US_ASCII));
                    conn.flush(); // the peer has reset: the write fails in here
                    viewAfterFlush.set(StandardCharsets.US_ASCII.decode(view.duplicate()).toString());
                    try {
                        conn.write(new byte[] {1});
                    } catch (ConnectionClosedException expected) {
                        // a failed connection refuses further writes
                    }
                    return Action.NONE;
                } finally {
                    inTraffic.set(false);
                }
            }

            @Override
            public Action onClose(Conn conn, Throwable c) {
                nested.set(inTraffic.get());
                cause.set(c);
                closed.countDown();
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).build());
        try {
            Socket client = TestServers.connect(engine);
            TestServers.write(client, "hello".getBytes(StandardCharsets.US_ASCII));
            await(arrived);
            client.setSoLinger(true, 0);
            client.close(); // a reset
            reset.countDown();
            assertThat(closed.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("onClose ran").isTrue();
            assertThat(nested.get()).as("onClose ran nested inside onTraffic").isFalse();
            assertThat(viewAfterFlush.get()).as("the view after the failed flush").isEqualTo("hello");
            assertThat(cause.get()).as("the cause onClose received").isInstanceOf(IOException.class);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aDialedUdpSendThatFailsClosesOnlyAfterOnOpenReturned() throws Exception {
        int closedPort;
        try (DatagramSocket probe = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort(); // nothing listens here once the probe is closed
        }
        AtomicBoolean inOpen = new AtomicBoolean();
        AtomicBoolean nested = new AtomicBoolean();
        AtomicReference<Throwable> sendFailure = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                inOpen.set(true);
                try {
                    // The first datagram draws an ICMP "port unreachable"; a later send reports it.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (sendFailure.get() == null && System.nanoTime() - deadline < 0) {
                        try {
                            conn.write(ByteBuffer.wrap(new byte[] {1}));
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                        } catch (ConnectionClosedException e) {
                            sendFailure.set(e);
                        }
                    }
                    return Action.NONE;
                } finally {
                    inOpen.set(false);
                }
            }

            @Override
            public Action onClose(Conn conn, Throwable cause) {
                nested.set(inOpen.get());
                closed.countDown();
                return Action.NONE;
            }
        };
        // UDP dials need the NIO transport.
        Client client = Client.start(handler, Options.builder().numEventLoops(1).transport(Transport.NIO).build());
        try {
            client.dial("udp://127.0.0.1:" + closedPort);
            assertThat(closed.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("onClose ran").isTrue();
            assertThat(sendFailure.get()).as("a send reported the unreachable port").isNotNull();
            assertThat(nested.get()).as("onClose ran nested inside onOpen").isFalse();
        } finally {
            client.stop();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("timed out waiting");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
