package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What a broadcaster or a relay needs of a connection, on real sockets: writability events at the
 * water marks, the queue's size and writability read from another thread, reading paused and
 * resumed on demand, program order of {@code write} and {@code asyncWrite} on the loop, and the
 * socket setters from any thread.
 */
class FanOutTest {

    private static final int LOW = 16 * 1024;
    private static final int HIGH = 64 * 1024;

    /** Records the writability reports and the connection; writes nothing by itself. */
    private static final class Recorder implements EventHandler {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Conn> opened = new CompletableFuture<>();
        final BlockingQueue<String> traffic = new ArrayBlockingQueue<>(64);
        volatile Boolean inLoopAtOpen;

        @Override
        public Action onOpen(Conn conn) {
            inLoopAtOpen = conn.inEventLoop();
            opened.complete(conn);
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            traffic.add(StandardCharsets.US_ASCII.decode(conn.next(-1)).toString());
            return Action.NONE;
        }

        @Override
        public Action onWritabilityChanged(Conn conn, boolean writable) {
            events.add((writable ? "writable" : "unwritable") + " at " + conn.outboundBuffered() + " isWritable="
                    + conn.isWritable());
            return Action.NONE;
        }
    }

    private static Options options() {
        return Options.builder().numEventLoops(1).writeBufferWaterMarks(LOW, HIGH).socketSendBuffer(16 * 1024).build();
    }

    @Test
    void aLaggingReceiverIsSeenFromAnotherThreadAndReportedAtBothWaterMarks() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = TestServers.start(recorder, options());
        try (Socket socket = TestServers.connectSmallBuffers(engine, 8 * 1024)) {
            Conn conn = recorder.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(conn.isWritable()).isTrue();
            assertThat(conn.outboundBuffered()).as("from this (not the loop's) thread").isZero();

            // A broadcaster's view: 1 MiB in 4 KiB messages, from this thread, to a peer not reading.
            int total = 1 << 20;
            byte[] message = new byte[4096];
            for (int sent = 0; sent < total; sent += message.length) {
                java.util.Arrays.fill(message, (byte) (sent / message.length));
                conn.asyncWrite(message, 0, message.length, null);
            }
            TestServers.await("the queue to pass the high-water mark, seen from the test thread",
                    () -> conn.outboundBuffered() >= HIGH && !conn.isWritable());
            TestServers.await("onWritabilityChanged(false)", () -> recorder.events.size() >= 1);
            assertThat(recorder.events.get(0)).startsWith("unwritable").endsWith("isWritable=false");

            // The peer catches up: everything arrives, in order, and the handler hears it drained.
            InputStream in = socket.getInputStream();
            byte[] got = TestServers.readExactly(in, total);
            for (int i = 0; i < total; i++) {
                if (got[i] != (byte) (i / message.length)) {
                    throw new AssertionError("byte " + i + " is " + got[i] + ", expected " + (byte) (i / message.length));
                }
            }
            TestServers.await("onWritabilityChanged(true)", () -> recorder.events.size() >= 2);
            assertThat(recorder.events.get(1)).startsWith("writable").endsWith("isWritable=true");
            int reportedAt = Integer.parseInt(recorder.events.get(1).split(" ")[2]);
            assertThat(reportedAt).as("queued bytes when told it is writable again").isLessThanOrEqualTo(LOW);
            assertThat(conn.isWritable()).isTrue();
            assertThat(recorder.events).as("reports alternate, one per crossing").hasSize(2);
        } finally {
            engine.stop();
        }
    }

    @Test
    void withPauseReadingWhenUnwritableOffAnUnwritableConnectionIsStillRead() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = TestServers.start(recorder, options().toBuilder().pauseReadingWhenUnwritable(false).build());
        try (Socket socket = TestServers.connectSmallBuffers(engine, 8 * 1024)) {
            Conn conn = recorder.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            byte[] big = new byte[1 << 20];
            conn.asyncWrite(big, null); // the peer does not read: past the high-water mark
            TestServers.await("onWritabilityChanged(false)", () -> recorder.events.size() >= 1);
            assertThat(conn.isWritable()).isFalse();

            // Reading goes on: a relay decides itself what to pause.
            TestServers.write(socket, "still read".getBytes(StandardCharsets.US_ASCII));
            assertThat(recorder.traffic.poll(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("onTraffic while unwritable").isEqualTo("still read");
            assertThat(TestServers.readExactly(socket.getInputStream(), big.length)).isEqualTo(big);
            TestServers.await("onWritabilityChanged(true)", () -> recorder.events.size() >= 2);
        } finally {
            engine.stop();
        }
    }

    @Test
    void pauseReadingFromAnotherThreadHoldsInputUntilResumeReadingHandsItOver() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = TestServers.start(recorder, options());
        try (Socket socket = TestServers.connect(engine)) {
            Conn conn = recorder.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(recorder.inLoopAtOpen).as("inEventLoop() inside onOpen").isTrue();
            assertThat(conn.inEventLoop()).as("inEventLoop() on the test thread").isFalse();

            TestServers.write(socket, "one".getBytes(StandardCharsets.US_ASCII));
            assertThat(recorder.traffic.poll(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("one");

            conn.pauseReading();
            conn.pauseReading(); // idempotent: one resume undoes both
            // The pause is a task on the loop: a wake behind it runs after it.
            CompletableFuture<Void> paused = new CompletableFuture<>();
            conn.wake((c, error) -> paused.complete(null));
            paused.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(recorder.traffic.poll(1, TimeUnit.SECONDS)).as("the wake's own onTraffic sees no bytes").isEmpty();

            TestServers.write(socket, "two".getBytes(StandardCharsets.US_ASCII));
            // A negative check needs a bound: a loop that still read would deliver within milliseconds.
            assertThat(recorder.traffic.poll(300, TimeUnit.MILLISECONDS)).as("onTraffic while paused").isNull();

            conn.resumeReading();
            assertThat(recorder.traffic.poll(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("bytes that came while paused, after resumeReading").isEqualTo("two");
            TestServers.write(socket, "three".getBytes(StandardCharsets.US_ASCII));
            assertThat(recorder.traffic.poll(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("three");
        } finally {
            engine.stop();
        }
    }

    @Test
    void onTheLoopWriteAndAsyncWriteKeepProgramOrder() throws Exception {
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.discard(-1);
                List<Runnable> steps = new ArrayList<>();
                for (int i = 1; i <= 9; i++) {
                    byte[] b = {(byte) ('0' + i)};
                    steps.add(i % 2 == 0 ? () -> conn.asyncWrite(ByteBuffer.wrap(b), null) : () -> conn.write(b, 0, 1));
                }
                steps.forEach(Runnable::run);
                conn.asyncWritev(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {'a'}), ByteBuffer.wrap(new byte[] {'b'})}, null);
                conn.write(new byte[] {'c'}, 0, 1);
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, options());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, new byte[] {'?'});
            byte[] got = TestServers.readExactly(socket.getInputStream(), 12);
            assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("123456789abc");
        } finally {
            engine.stop();
        }
    }

    @Test
    void socketSettersWorkFromAnyThreadAndAreIgnoredOnceClosed() throws Exception {
        Recorder recorder = new Recorder();
        Engine engine = TestServers.start(recorder, options());
        try (Socket socket = TestServers.connect(engine)) {
            Conn conn = recorder.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            conn.setTcpNoDelay(false);
            conn.setKeepAlive(true, 60, 0, 0);
            conn.setLinger(-1);
            conn.setReceiveBufferSize(32 * 1024);
            conn.setSendBufferSize(32 * 1024);
            // Still a working connection after all that.
            conn.asyncWrite("ok".getBytes(StandardCharsets.US_ASCII), 0, 2, null);
            assertThat(TestServers.readExactly(socket.getInputStream(), 2)).isEqualTo("ok".getBytes(StandardCharsets.US_ASCII));

            CompletableFuture<Void> closed = new CompletableFuture<>();
            conn.close((c, error) -> closed.complete(null));
            closed.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            conn.setTcpNoDelay(true);
            conn.setKeepAlive(false, 0, 0, 0);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aRelayPausesTheFastSideWhileTheSlowSideDrains() throws Exception {
        // Two clients on one loop: bytes from "fast" go to "slow" with write(); when "slow" is
        // unwritable the relay pauses reading "fast", and resumes when it drains.
        AtomicReference<Conn> fastRef = new AtomicReference<>();
        AtomicReference<Conn> slowRef = new AtomicReference<>();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        EventHandler relay = new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                if (!fastRef.compareAndSet(null, conn)) {
                    slowRef.set(conn);
                }
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn conn) {
                Conn slow = slowRef.get();
                if (conn != fastRef.get() || slow == null) {
                    conn.discard(-1);
                    return Action.NONE;
                }
                slow.write(conn.next(-1));
                return Action.NONE;
            }

            @Override
            public Action onWritabilityChanged(Conn conn, boolean writable) {
                log.add(writable ? "resume" : "pause");
                if (writable) {
                    fastRef.get().resumeReading();
                } else {
                    fastRef.get().pauseReading();
                }
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(relay, options());
        try (Socket fast = TestServers.connect(engine)) {
            TestServers.await("the fast side opened", () -> fastRef.get() != null);
            try (Socket slow = TestServers.connectSmallBuffers(engine, 8 * 1024)) {
                TestServers.await("the slow side opened", () -> slowRef.get() != null);
                int total = 8 << 20;
                Thread writer = new Thread(() -> {
                    try {
                        byte[] chunk = new byte[32 * 1024];
                        for (int sent = 0; sent < total; sent += chunk.length) {
                            for (int i = 0; i < chunk.length; i++) {
                                chunk[i] = (byte) ((sent + i) % 251);
                            }
                            fast.getOutputStream().write(chunk);
                        }
                    } catch (java.io.IOException e) {
                        log.add("writer failed: " + e);
                    }
                }, "fast-writer");
                writer.start();
                TestServers.await("the relay paused the fast side", () -> log.contains("pause"));
                long maxQueued = 0;
                InputStream in = slow.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream(total);
                byte[] buf = new byte[16 * 1024];
                while (got.size() < total) {
                    int r = in.read(buf);
                    assertThat(r).as("EOF after %d bytes", got.size()).isPositive();
                    got.write(buf, 0, r);
                    maxQueued = Math.max(maxQueued, slowRef.get().outboundBuffered());
                }
                writer.join(TestServers.WAIT.toMillis());
                byte[] bytes = got.toByteArray();
                for (int i = 0; i < total; i++) {
                    if (bytes[i] != (byte) (i % 251)) {
                        throw new AssertionError("relayed byte " + i + " is wrong");
                    }
                }
                assertThat(log).as("reports alternate, starting with a pause").hasSizeGreaterThanOrEqualTo(2);
                for (int i = 0; i < log.size(); i++) {
                    assertThat(log.get(i)).as("report %d of %s", i, log).isEqualTo(i % 2 == 0 ? "pause" : "resume");
                }
                // Paused at HIGH; one read of at most readBufferCap can land after the last check.
                assertThat(maxQueued).as("most bytes queued to the slow side")
                        .isLessThan(HIGH + Options.defaults().readBufferCap() + 64 * 1024);
            }
        } finally {
            engine.stop();
        }
    }
}
