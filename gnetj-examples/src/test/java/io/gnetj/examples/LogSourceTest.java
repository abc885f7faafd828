package io.gnetj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A rate-limited record (here: a handler that throws) names the class that saw the failure as its
 * source, not the limiter, as JUL's default backend reports it (docs/logging.md). Here rather
 * than in gnetj-core because the core's tests run on the module path, where io.gnetj.core does
 * not read java.logging.
 */
class LogSourceTest {

    @Test
    void aHandlerFailureRecordNamesTheConnectionClassNotTheLimiter() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger jul = Logger.getLogger("io.gnetj");
        jul.addHandler(capture);
        Engine engine = Gnet.start(new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                throw new IllegalStateException("a handler bug");
            }
        }, "tcp://127.0.0.1:0", Options.builder().numEventLoops(1).build());
        try (Socket socket = new Socket()) {
            socket.connect(engine.addresses().get(0), 5_000);
            socket.getOutputStream().write(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (records.stream().noneMatch(r -> r.getMessage().contains("onTraffic threw"))) {
                assertThat(System.nanoTime() - deadline).as("waited 20 s for the handler failure to be logged").isNegative();
                TimeUnit.MILLISECONDS.sleep(5);
            }
        } finally {
            engine.stop();
            jul.removeHandler(capture);
        }
        LogRecord record = records.stream().filter(r -> r.getMessage().contains("onTraffic threw")).findFirst().get();
        assertThat(record.getSourceClassName()).as("the record's source class")
                .startsWith("io.gnetj.internal.")
                .isNotEqualTo("io.gnetj.internal.RateLimitedLog");
        assertThat(record.getThrown()).hasMessage("a handler bug");
    }
}
