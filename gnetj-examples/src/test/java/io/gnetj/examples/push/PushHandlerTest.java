package io.gnetj.examples.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.testing.MemoryConn;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The handler without an engine. {@code onTick} runs on this thread, which is also every
 * connection's loop: its {@code asyncWrite}s are queued and run by {@code runPendingTasks}, as an
 * engine's loop would run them after the ticker thread queued them.
 */
class PushHandlerTest {

    private static final String TICK_1 = "tick 1 1970-01-01T00:00:00Z\n";
    private static final String TICK_2 = "tick 2 1970-01-01T00:00:00Z\n";

    private final PushHandler handler = new PushHandler(Duration.ofMillis(250), () -> 0L);

    private static String output(MemoryConn c) {
        return new String(c.takeWritten(), StandardCharsets.US_ASCII);
    }

    @Test
    void broadcastsNumberedLinesToEveryConnection() {
        MemoryConn a = new MemoryConn(handler).open();
        MemoryConn b = new MemoryConn(handler).open();
        assertThat(handler.onTick().delay()).isEqualTo(Duration.ofMillis(250));
        handler.onTick();
        assertThat(a.runPendingTasks()).isEqualTo(2);
        assertThat(b.runPendingTasks()).isEqualTo(2);
        String expected = TICK_1 + TICK_2;
        assertThat(output(a)).isEqualTo(expected);
        assertThat(output(b)).isEqualTo(expected);
        a.close();
        handler.onTick();
        assertThat(a.runPendingTasks()).as("no write even tried on a closed connection").isZero();
        assertThat(b.runPendingTasks()).isEqualTo(1);
        assertThat(output(a)).isEmpty();
        assertThat(output(b)).isEqualTo("tick 3 1970-01-01T00:00:00Z\n");
        assertThat(handler.connections()).isEqualTo(1);
    }

    @Test
    void closesAClientWhoseWritesHitTheOutboundLimit() {
        // A client that never reads, with room queued for one line and not two.
        MemoryConn slow = new MemoryConn(handler).queueOutboundUntilTaken(TICK_1.length() + 10).open();
        MemoryConn gone = new MemoryConn(handler).open();
        MemoryConn fine = new MemoryConn(handler).open();
        handler.onTick();
        runPendingTasks(slow, gone, fine);
        assertThat(slow.isOpen()).isTrue();
        assertThat(slow.outboundBuffered()).isEqualTo(TICK_1.length());

        // What the handler logs: System.Logger's default backend is java.util.logging.
        Logger log = Logger.getLogger(PushHandler.class.getName());
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try {
            handler.onTick();
            gone.close(); // leaves between the tick and its write: the write fails with ConnectionClosedException
            runPendingTasks(slow, gone, fine);
        } finally {
            log.removeHandler(capture);
        }
        assertThat(logged).as("the slow client's close is logged; the client that left is not reported")
                .extracting(LogRecord::getMessage)
                .singleElement().asString().startsWith("closing {0}: not reading");
        assertThat(slow.isOpen()).isFalse();
        assertThat(slow.closeCause()).as("closed by the refused write itself: no hole in its stream")
                .isInstanceOf(io.gnetj.OutboundLimitException.class);
        assertThat(handler.slowClientsClosed()).as("a client that left is not a slow client").isEqualTo(1);
        assertThat(fine.isOpen()).isTrue();
        assertThat(output(fine)).isEqualTo(TICK_1 + TICK_2);
        assertThat(output(gone)).isEqualTo(TICK_1);
        assertThat(handler.connections()).as("fine only: slow was closed by its refused write, gone closed itself").isEqualTo(1);
    }

    @Test
    void discardsWhatClientsSend() {
        MemoryConn c = new MemoryConn(handler).open();
        c.receive("ignored\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.closeCause()).isNull();
        // Open, or inboundBuffered() would be 0 whatever the handler consumed: a closed connection reads nothing.
        assertThat(c.isOpen()).isTrue();
        assertThat(c.inboundBuffered()).isZero();
    }

    private static void runPendingTasks(MemoryConn... conns) {
        for (MemoryConn c : conns) {
            c.runPendingTasks();
        }
    }
}
