package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Conn#asyncWrite} from many threads at once to one connection: each producer's records
 * arrive in the order it wrote them, and every callback runs exactly once, with
 * {@link ConnectionClosedException} once the connection is closed.
 */
class AsyncWriteTest {

    private static final int PRODUCERS = 8;
    private static final int RECORD = 16;

    /** Records the connection and the loop thread it lives on. */
    private static final class Holder implements EventHandler {
        final AtomicReference<Conn> conn = new AtomicReference<>();
        final AtomicReference<Thread> loop = new AtomicReference<>();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public Action onOpen(Conn c) {
            loop.set(Thread.currentThread());
            conn.set(c);
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn c, Throwable cause) {
            closed.countDown();
            return Action.NONE;
        }
    }

    /** Callback outcomes: how often each record's callback ran, and with what. */
    private static final class Outcomes {
        final int perProducer;
        final AtomicIntegerArray calls;
        final AtomicIntegerArray failed;
        final AtomicInteger total = new AtomicInteger();
        final AtomicInteger offLoop = new AtomicInteger();
        final AtomicInteger wrongError = new AtomicInteger();
        final AtomicInteger bufferMoved = new AtomicInteger();

        Outcomes(int perProducer) {
            this.perProducer = perProducer;
            this.calls = new AtomicIntegerArray(PRODUCERS * perProducer);
            this.failed = new AtomicIntegerArray(PRODUCERS * perProducer);
        }

        Callback callbackFor(int producer, int seq, ByteBuffer record, Thread loop) {
            int index = producer * perProducer + seq;
            return (conn, error) -> {
                calls.incrementAndGet(index);
                if (Thread.currentThread() != loop && loop.isAlive()) {
                    offLoop.incrementAndGet();
                }
                // asyncWrite never moves the caller's buffer, whatever the outcome (one buffer may go to many).
                if (record.position() != 0 || record.remaining() != RECORD) {
                    bufferMoved.incrementAndGet();
                }
                if (error != null) {
                    failed.incrementAndGet(index);
                    if (!(error instanceof ConnectionClosedException)) {
                        wrongError.incrementAndGet();
                    }
                }
                total.incrementAndGet();
            };
        }

        void assertEachCalledOnce() {
            for (int i = 0; i < calls.length(); i++) {
                assertThat(calls.get(i)).as("callbacks of record %d of producer %d", i % perProducer, i / perProducer)
                        .isEqualTo(1);
            }
            assertThat(offLoop.get()).as("callbacks run off the loop thread while it lived").isZero();
            assertThat(wrongError.get()).as("callbacks failed with something else than ConnectionClosedException").isZero();
            assertThat(bufferMoved.get()).as("writes whose caller's buffer was moved").isZero();
        }
    }

    private static ByteBuffer record(int producer, int seq) {
        ByteBuffer b = ByteBuffer.allocate(RECORD);
        b.putInt(producer).putInt(seq).putLong(((long) producer << 32) ^ seq ^ 0x5DEECE66DL).flip();
        return b;
    }

    /** Reads records until EOF (or {@code expected} records); checks them; returns received seqs per producer. */
    private static List<List<Integer>> readRecords(Socket socket, int expected) throws IOException {
        List<List<Integer>> seqs = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            seqs.add(new ArrayList<>());
        }
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024));
        int count = 0;
        while (expected < 0 || count < expected) {
            int producer;
            try {
                producer = in.readInt();
            } catch (EOFException e) {
                break;
            }
            int seq = in.readInt();
            long check = in.readLong();
            assertThat(producer).as("producer id of record %d", count).isBetween(0, PRODUCERS - 1);
            assertThat(check).as("check word of record %d (producer %d, seq %d)", count, producer, seq)
                    .isEqualTo(((long) producer << 32) ^ seq ^ 0x5DEECE66DL);
            List<Integer> mine = seqs.get(producer);
            int previous = mine.isEmpty() ? -1 : mine.get(mine.size() - 1);
            assertThat(seq).as("record after seq %d of producer %d", previous, producer).isGreaterThan(previous);
            mine.add(seq);
            count++;
        }
        return seqs;
    }

    @Test
    void asyncWritesFromEightThreadsKeepEachProducersOrderAndCallEveryCallbackOnce() throws Exception {
        BufferPool pool = BufferPool.create();
        Holder holder = new Holder();
        Engine engine = TestServers.start(holder, Options.builder().numEventLoops(2).bufferPool(pool).build());
        int perProducer = 5_000;
        Outcomes outcomes = new Outcomes(perProducer);
        ExecutorService exec = Executors.newFixedThreadPool(PRODUCERS + 1);
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.await("connection opened", () -> holder.conn.get() != null);
            Conn conn = holder.conn.get();
            Thread loop = holder.loop.get();
            Future<List<List<Integer>>> received = exec.submit(() -> readRecords(socket, PRODUCERS * perProducer));
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int producer = p;
                producers.add(exec.submit(() -> {
                    go.await();
                    for (int seq = 0; seq < perProducer; seq++) {
                        ByteBuffer r = record(producer, seq);
                        conn.asyncWrite(r, outcomes.callbackFor(producer, seq, r, loop));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : producers) {
                f.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            List<List<Integer>> seqs = received.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            for (int p = 0; p < PRODUCERS; p++) {
                // Strictly increasing was checked while reading; all of them means 0..n-1 in order.
                assertThat(seqs.get(p)).as("records of producer %d", p).hasSize(perProducer);
            }
            TestServers.await("every callback ran", () -> outcomes.total.get() == PRODUCERS * perProducer);
            outcomes.assertEachCalledOnce();
            for (int i = 0; i < outcomes.failed.length(); i++) {
                assertThat(outcomes.failed.get(i)).as("failed callbacks of record %d", i).isZero();
            }
        } finally {
            exec.shutdownNow();
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void closingMidStreamFailsLaterCallbacksWithConnectionClosedAndDeliversEveryAcceptedRecord() throws Exception {
        BufferPool pool = BufferPool.create();
        Holder holder = new Holder();
        Engine engine = TestServers.start(holder, Options.builder().numEventLoops(1).bufferPool(pool).build());
        int perProducer = 4_000;
        Outcomes outcomes = new Outcomes(perProducer);
        ExecutorService exec = Executors.newFixedThreadPool(PRODUCERS + 1);
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.await("connection opened", () -> holder.conn.get() != null);
            Conn conn = holder.conn.get();
            Thread loop = holder.loop.get();
            Future<List<List<Integer>>> received = exec.submit(() -> readRecords(socket, -1));
            // Each producer writes its first half, then a quarter racing with the close, then (once
            // close() has returned) the last quarter, which must all be refused.
            CountDownLatch firstHalvesWritten = new CountDownLatch(PRODUCERS);
            CountDownLatch closeCalled = new CountDownLatch(1);
            List<Future<?>> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int producer = p;
                producers.add(exec.submit(() -> {
                    for (int seq = 0; seq < perProducer; seq++) {
                        if (seq == perProducer / 2) {
                            firstHalvesWritten.countDown();
                        } else if (seq == perProducer * 3 / 4) {
                            closeCalled.await();
                        }
                        ByteBuffer r = record(producer, seq);
                        conn.asyncWrite(r, outcomes.callbackFor(producer, seq, r, loop));
                    }
                    return null;
                }));
            }
            assertThat(firstHalvesWritten.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            conn.close(); // from this thread, while the producers are still writing
            closeCalled.countDown();
            for (Future<?> f : producers) {
                f.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(holder.closed.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("onClose ran").isTrue();
            List<List<Integer>> seqs = received.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            TestServers.await("every callback ran", () -> outcomes.total.get() == PRODUCERS * perProducer);
            outcomes.assertEachCalledOnce();

            // Per producer: what was posted before the close went out, what was posted after it
            // was refused, the race in between splits into an accepted prefix and a refused rest;
            // and the client received exactly the accepted records.
            for (int p = 0; p < PRODUCERS; p++) {
                List<Integer> accepted = new ArrayList<>();
                int firstRefused = perProducer;
                for (int seq = 0; seq < perProducer; seq++) {
                    boolean refused = outcomes.failed.get(p * perProducer + seq) != 0;
                    if (refused) {
                        firstRefused = Math.min(firstRefused, seq);
                    } else {
                        assertThat(seq).as("producer %d: accepted after a refused one", p).isLessThan(firstRefused);
                        accepted.add(seq);
                    }
                }
                assertThat(firstRefused).as("producer %d: first refused record", p)
                        .isBetween(perProducer / 2, perProducer * 3 / 4);
                assertThat(seqs.get(p)).as("records of producer %d received", p).isEqualTo(accepted);
            }

            // After the close every new write fails, once, with ConnectionClosedException.
            Map<Integer, Throwable> late = new ConcurrentHashMap<>();
            AtomicInteger lateCalls = new AtomicInteger();
            for (int i = 0; i < 100; i++) {
                int id = i;
                conn.asyncWrite(record(0, i), (c, error) -> {
                    lateCalls.incrementAndGet();
                    late.put(id, error);
                });
            }
            TestServers.await("late callbacks ran", () -> lateCalls.get() == 100);
            assertThat(late).hasSize(100);
            assertThat(late.values()).allMatch(e -> e instanceof ConnectionClosedException);
        } finally {
            exec.shutdownNow();
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void asyncWritevSendsItsBuffersInOrderAndRefusesANullOneAtTheCallSite() throws Exception {
        Holder holder = new Holder();
        Engine engine = TestServers.start(holder, Options.builder().numEventLoops(1).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.await("connection opened", () -> holder.conn.get() != null);
            Conn conn = holder.conn.get();
            AtomicInteger calls = new AtomicInteger();
            ByteBuffer[] withNull = {record(0, 0), null};
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> conn.asyncWritev(withNull, (c, e) -> calls.incrementAndGet()))
                    .isInstanceOf(NullPointerException.class);

            AtomicReference<Throwable> error = new AtomicReference<>(new AssertionError("callback not run"));
            CountDownLatch done = new CountDownLatch(1);
            conn.asyncWritev(new ByteBuffer[] {record(1, 0), record(1, 1), record(1, 2)}, (c, e) -> {
                calls.incrementAndGet();
                error.set(e);
                done.countDown();
            });
            assertThat(done.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(error.get()).isNull();
            List<List<Integer>> seqs = readRecords(socket, 3);
            assertThat(seqs.get(0)).as("nothing of the refused writev was sent").isEmpty();
            assertThat(seqs.get(1)).containsExactly(0, 1, 2);
            assertThat(calls.get()).as("callbacks run: only the accepted writev's").isEqualTo(1);
        } finally {
            engine.stop();
        }
    }

    @Test
    void asyncWriteAfterStopFailsItsCallbackWithConnectionClosed() throws Exception {
        Holder holder = new Holder();
        Engine engine = TestServers.start(holder, Options.builder().numEventLoops(1).build());
        Conn conn;
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.await("connection opened", () -> holder.conn.get() != null);
            conn = holder.conn.get();
        } finally {
            engine.stop();
        }
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        conn.asyncWrite(record(0, 0), (c, e) -> {
            calls.incrementAndGet();
            error.set(e);
        });
        AtomicReference<Throwable> wakeError = new AtomicReference<>();
        conn.wake((c, e) -> {
            calls.incrementAndGet();
            wakeError.set(e);
        });
        // The loop has ended, so the callbacks run on this thread, before the calls return.
        assertThat(calls.get()).isEqualTo(2);
        assertThat(error.get()).isInstanceOf(ConnectionClosedException.class);
        assertThat(wakeError.get()).isInstanceOf(ConnectionClosedException.class);
    }
}
