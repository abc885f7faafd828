package io.gnetj.examples.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gnetj's JFR events, recorded with the shipped {@code gnetj.jfc} and read back from the file: a
 * handler that sleeps 100 ms shows up as a stall naming its method and connection. (Here, not in
 * gnetj-core, because this module's tests run on the class path, where {@code jdk.jfr} is always
 * readable; gnetj-core only {@code requires static jdk.jfr}.)
 */
class JfrEventsTest {

    /** Sleeps in onTraffic: it blocks its loop for 100 ms, then echoes. */
    static final class SleepyHandler implements EventHandler {
        @Override
        public Action onTraffic(Conn conn) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            conn.write(conn.next(-1));
            return Action.CLOSE;
        }
    }

    @Test
    void aHandlerThatSleepsIsRecordedAsAStallNamingItsMethodAndConnection(@TempDir Path dir) throws Exception {
        Configuration gnetj;
        try (Reader jfc = new InputStreamReader(Engine.class.getResourceAsStream("/io/gnetj/gnetj.jfc"),
                StandardCharsets.UTF_8)) {
            gnetj = Configuration.create(jfc);
        }
        Path file = dir.resolve("gnetj.jfr");
        String client;
        try (Recording recording = new Recording(gnetj)) {
            recording.start();
            Engine engine = Gnet.start(new SleepyHandler(), "tcp://127.0.0.1:0",
                    Options.builder().numEventLoops(1).build());
            try (Socket socket = new Socket()) {
                socket.connect(engine.addresses().get(0), 5_000);
                socket.setSoTimeout(10_000);
                client = "127.0.0.1:" + socket.getLocalPort();
                socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertThat(socket.getInputStream().readAllBytes()).hasSize(4);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                // Two stalls: the handler's, and the loop iteration that ran it (counted once it ends).
                while (engine.metrics().total().stalls() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            } finally {
                engine.stop();
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("io.gnetj."))
                .collect(Collectors.toList());

        RecordedEvent stall = only(events, "io.gnetj.HandlerStall");
        assertThat(stall.getString("method")).isEqualTo("onTraffic");
        assertThat(stall.getString("handler")).isEqualTo(SleepyHandler.class.getName());
        assertThat(stall.getString("connection")).endsWith(client);
        assertThat(stall.getString("loop")).startsWith("gnetj-loop-");
        assertThat(Duration.ofNanos(stall.getLong("stall"))).isGreaterThanOrEqualTo(Duration.ofMillis(100));

        // The iteration that ran the handler; a cold loop's first iterations may stall too (class loading).
        assertThat(events).filteredOn(e -> e.getEventType().getName().equals("io.gnetj.LoopStall"))
                .anySatisfy(e -> assertThat(Duration.ofNanos(e.getLong("stall"))).isGreaterThanOrEqualTo(Duration.ofMillis(100)));

        RecordedEvent opened = only(events, "io.gnetj.ConnectionOpened");
        assertThat(opened.getString("remoteAddress")).endsWith(client);
        RecordedEvent closed = only(events, "io.gnetj.ConnectionClosed");
        assertThat(closed.getString("remoteAddress")).endsWith(client);
        assertThat(closed.getString("cause")).isEqualTo("local"); // the handler returned CLOSE
    }

    @Test
    void aLeakedPooledBufferIsRecordedWithWhereItWasTaken(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("leak.jfr");
        io.gnetj.buffer.BufferPool pool = io.gnetj.buffer.BufferPool.builder()
                .leakDetection(io.gnetj.buffer.LeakDetector.Level.PARANOID).build();
        try (Recording recording = new Recording()) {
            recording.enable("io.gnetj.LeakDetected");
            recording.start();
            leakOne(pool);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int found;
            while ((found = io.gnetj.buffer.LeakDetector.collect()) == 0) { // the GC decides when it is found
                assertThat(System.nanoTime() - deadline).as("the leak found within 20 s of GCs").isNegative();
                System.gc();
                Thread.sleep(10);
            }
            io.gnetj.buffer.LeakCheckExtension.expectLeaks(found); // on purpose: not this class's bug
            recording.stop();
            recording.dump(file);
        }
        RecordedEvent leak = only(RecordingFile.readAllEvents(file), "io.gnetj.LeakDetected");
        assertThat(leak.getInt("capacity")).isGreaterThanOrEqualTo(1000);
        assertThat(leak.getString("takenOn")).isEqualTo(Thread.currentThread().getName());
        assertThat(leak.getString("takenAt")).contains("leakOne");
    }

    /** Takes a buffer and drops it unreleased (in its own frame, so nothing keeps it reachable). */
    private static void leakOne(io.gnetj.buffer.BufferPool pool) {
        pool.take(1000);
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> found = events.stream().filter(e -> e.getEventType().getName().equals(name))
                .collect(Collectors.toList());
        assertThat(found).as(name + " events among " + events).hasSize(1);
        return found.get(0);
    }
}
