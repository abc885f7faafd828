package io.gnetj.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.ConnectionClosedException;
import io.gnetj.EventHandler;
import io.gnetj.OutboundLimitException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MemoryConnTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String ascii(ByteBuffer view) {
        byte[] b = new byte[view.remaining()];
        view.duplicate().get(b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void viewsSpanMinOfNAndBufferedAndNegativeMeansAll() {
        MemoryConn conn = new MemoryConn().receive(ascii("hello world"));
        assertThat(ascii(conn.peek(5))).isEqualTo("hello");
        assertThat(conn.inboundBuffered()).isEqualTo(11);
        assertThat(ascii(conn.next(6))).isEqualTo("hello ");
        assertThat(ascii(conn.peek(100))).isEqualTo("world");
        assertThat(ascii(conn.next(-1))).isEqualTo("world");
        assertThat(conn.next(3).remaining()).isZero();
        assertThat(conn.inboundBuffered()).isZero();
    }

    @Test
    void viewsAreReadOnlyAndPoisonedOnceTheyStopBeingValid() {
        MemoryConn conn = new MemoryConn().receive(ascii("abcdef"));
        ByteBuffer first = conn.next(3);
        assertThat(first.isReadOnly()).isTrue();
        ByteBuffer second = conn.peek(3);
        assertThat(first.get(first.position())).as("a stale view reads poison").isEqualTo((byte) 0xEE);
        assertThat(ascii(second)).isEqualTo("def");
        conn.endCallback();
        assertThat(second.get(second.position())).isEqualTo((byte) 0xEE);
    }

    @Test
    void viewsStartPastIndexZeroSoCodeAssumingItFails() {
        MemoryConn conn = new MemoryConn().receive(ascii("xyz"));
        ByteBuffer view = conn.peek(-1);
        assertThat(view.position()).isPositive();
        assertThat(view.get(view.position())).isEqualTo((byte) 'x');
        assertThat(view.get(0)).as("before the position: poison, not data").isEqualTo((byte) 0xEE);
        assertThat(view.slice().get(0)).isEqualTo((byte) 'x');
    }

    @Test
    void readAndDiscardConsume() {
        MemoryConn conn = new MemoryConn().receive(ascii("0123456789"));
        assertThat(conn.discard(2)).isEqualTo(2);
        ByteBuffer dst = ByteBuffer.allocate(3);
        assertThat(conn.read(dst)).isEqualTo(3);
        assertThat(new String(dst.array(), StandardCharsets.US_ASCII)).isEqualTo("234");
        assertThat(conn.discard(-1)).isEqualTo(5);
        assertThat(conn.inboundBuffered()).isZero();
    }

    @Test
    void growsAndCompactsItsInboundBuffer() {
        MemoryConn conn = new MemoryConn();
        StringBuilder expected = new StringBuilder();
        StringBuilder got = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            String piece = i + ",";
            expected.append(piece);
            conn.receive(ascii(piece));
            if (i % 3 == 0) {
                got.append(ascii(conn.next(conn.inboundBuffered() / 2)));
            }
        }
        got.append(ascii(conn.next(-1)));
        assertThat(got.toString()).isEqualTo(expected.toString());
    }

    @Test
    void capturesWrites() {
        MemoryConn conn = new MemoryConn();
        conn.write(ascii("ab"));
        conn.write(ByteBuffer.wrap(ascii("cd")));
        conn.writev(ByteBuffer.wrap(ascii("e")), ByteBuffer.wrap(ascii("f")));
        assertThat(new String(conn.takeWritten(), StandardCharsets.US_ASCII)).isEqualTo("abcdef");
        assertThat(conn.written()).isEmpty();
    }

    @Test
    void byDefaultWritesAreSentAtOnceAndNeverRefused() {
        MemoryConn conn = new MemoryConn();
        conn.write(new byte[100_000]);
        assertThat(conn.outboundBuffered()).isZero();
        assertThat(conn.written()).hasSize(100_000);
    }

    @Test
    void aQueueingPeerHoldsWritesUntilTakenAndARefusedWriteClosesTheConnection() {
        MemoryConn conn = new MemoryConn().queueOutboundUntilTaken(10);
        conn.write(ascii("abcd"));
        assertThat(conn.outboundBuffered()).isEqualTo(4);
        conn.write(ascii("efghij"));
        assertThat(conn.outboundBuffered()).as("exactly at the cap is allowed").isEqualTo(10);
        assertThat(new String(conn.takeWritten(), StandardCharsets.US_ASCII)).isEqualTo("abcdefghij");
        assertThat(conn.outboundBuffered()).as("taken: the peer read them").isZero();
        conn.write(ascii("klm"));
        assertThat(conn.outboundBuffered()).isEqualTo(3);
        assertThatThrownBy(() -> conn.writev(ByteBuffer.wrap(ascii("efgh")), ByteBuffer.wrap(ascii("ijkl"))))
                .isInstanceOf(OutboundLimitException.class);
        assertThat(conn.outboundBuffered()).as("a refused writev queues none of its buffers").isEqualTo(3);
        assertThat(conn.isOpen()).as("as the engine: a refused write closes, no hole in the stream").isFalse();
        assertThat(conn.closeCause()).isInstanceOf(OutboundLimitException.class);
    }

    @Test
    void anAsyncWritePastTheCapFailsItsCallbackAndClosesTheConnection() {
        MemoryConn conn = new MemoryConn().queueOutboundUntilTaken(4);
        List<Throwable> errors = new ArrayList<>();
        ByteBuffer first = ByteBuffer.wrap(ascii("abc"));
        conn.asyncWrite(first, (c, error) -> errors.add(error));
        conn.asyncWritev(new ByteBuffer[] {ByteBuffer.wrap(ascii("d")), ByteBuffer.wrap(ascii("e"))},
                (c, error) -> errors.add(error));
        assertThat(conn.runPendingTasks()).isEqualTo(2);
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).isNull();
        assertThat(errors.get(1)).isInstanceOf(OutboundLimitException.class);
        assertThat(first.remaining()).as("the caller's buffer is never moved").isEqualTo(3);
        assertThat(new String(conn.written(), StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(conn.isOpen()).isFalse();
        assertThat(conn.closeCause()).isSameAs(errors.get(1));
    }

    @Test
    void loopOnlyMethodsThrowOnOtherThreads() throws Exception {
        MemoryConn conn = new MemoryConn();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                conn.write(ascii("x"));
            } catch (Throwable t) {
                error.set(t);
            }
        });
        other.start();
        other.join(10_000);
        assertThat(error.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("off the loop thread");
    }

    @Test
    void asyncWritesFromOtherThreadsRunOnTheLoopWithTheirCallback() throws Exception {
        MemoryConn conn = new MemoryConn();
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        AtomicReference<Conn> callbackConn = new AtomicReference<>();
        Thread worker = new Thread(() -> conn.asyncWrite(ByteBuffer.wrap(ascii("pong")), (c, error) -> {
            callbackThread.set(Thread.currentThread());
            callbackConn.set(c);
        }));
        worker.start();
        assertThat(conn.awaitPendingTasks(Duration.ofSeconds(10))).isEqualTo(1);
        assertThat(new String(conn.written(), StandardCharsets.US_ASCII)).isEqualTo("pong");
        assertThat(callbackThread.get()).isSameAs(Thread.currentThread());
        assertThat(callbackConn.get()).isSameAs(conn);
        worker.join(10_000);
    }

    @Test
    void drivesAHandlerAndClosesWithWhatItThrows() {
        List<String> events = new ArrayList<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn c) {
                events.add("open");
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn c) {
                String got = ascii(c.next(-1));
                events.add("traffic " + got);
                if (got.equals("bad")) {
                    throw new IllegalArgumentException("bad input");
                }
                return Action.NONE;
            }

            @Override
            public Action onClose(Conn c, Throwable cause) {
                events.add("close " + (cause == null ? null : cause.getMessage()));
                return Action.NONE;
            }
        };
        MemoryConn conn = new MemoryConn(handler).open();
        conn.receive(ascii("hi")).receive(ascii("bad")).receive(ascii("ignored"));
        assertThat(events).containsExactly("open", "traffic hi", "traffic bad", "close bad input");
        assertThat(conn.isOpen()).isFalse();
        assertThat(conn.closeCause()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> conn.write(ascii("x"))).isInstanceOf(ConnectionClosedException.class);
        assertThat(conn.remoteAddress()).as("addresses readable after close").isNotNull();
    }

    @Test
    void lastActionIsWhatTheHandlerReturnedOrNullIfItThrew() {
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn c) {
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn c) {
                String got = ascii(c.next(-1));
                switch (got) {
                    case "throw":
                        throw new IllegalStateException("thrown");
                    case "close itself":
                        c.close();
                        return Action.NONE;
                    default:
                        return Action.valueOf(got);
                }
            }
        };
        MemoryConn conn = new MemoryConn(handler);
        assertThat(conn.lastAction()).as("nothing has run").isNull();
        conn.open();
        assertThat(conn.lastAction()).isEqualTo(Action.NONE);
        conn.receive(ascii("SHUTDOWN"));
        assertThat(conn.lastAction()).isEqualTo(Action.SHUTDOWN);
        conn.receive(ascii("CLOSE"));
        assertThat(conn.lastAction()).isEqualTo(Action.CLOSE);
        assertThat(conn.isOpen()).isFalse();

        MemoryConn closesItself = new MemoryConn(handler).open().receive(ascii("close itself"));
        assertThat(closesItself.isOpen()).isFalse();
        assertThat(closesItself.lastAction()).isEqualTo(Action.NONE);

        MemoryConn throwing = new MemoryConn(handler).open();
        throwing.receive(ascii("throw"));
        assertThat(throwing.lastAction()).isNull();
        assertThat(throwing.closeCause()).hasMessage("thrown");
    }

    @Test
    void closeActionClosesWithoutACause() {
        MemoryConn conn = new MemoryConn(new EventHandler() {
            @Override
            public Action onTraffic(Conn c) {
                c.write(c.next(-1));
                return Action.CLOSE;
            }
        });
        conn.receive(ascii("bye"));
        assertThat(conn.isOpen()).isFalse();
        assertThat(conn.closeCause()).isNull();
        assertThat(new String(conn.written(), StandardCharsets.US_ASCII)).isEqualTo("bye");
    }

    @Test
    void pausedReadingBuffersBytesUntilResumeHandsThemOver() throws Exception {
        List<String> seen = new ArrayList<>();
        MemoryConn conn = new MemoryConn(new EventHandler() {
            @Override
            public Action onTraffic(Conn c) {
                seen.add(ascii(c.next(-1)));
                return Action.NONE;
            }
        });
        assertThat(conn.inEventLoop()).isTrue();
        conn.pauseReading();
        conn.receive(ascii("ab")).receive(ascii("cd"));
        assertThat(seen).isEmpty();
        assertThat(conn.readingPaused()).isTrue();
        AtomicReference<Boolean> inLoopElsewhere = new AtomicReference<>();
        Thread other = new Thread(() -> {
            inLoopElsewhere.set(conn.inEventLoop());
            conn.resumeReading(); // from another thread: a task for the loop
        });
        other.start();
        other.join();
        assertThat(inLoopElsewhere.get()).isFalse();
        assertThat(conn.readingPaused()).isTrue();
        conn.runPendingTasks();
        assertThat(seen).containsExactly("abcd");
        conn.receive(ascii("e"));
        assertThat(seen).containsExactly("abcd", "e");
    }
}
