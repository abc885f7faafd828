package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link EventHandler#onTick()}: on the main thread, at the delays it returns, and able to stop the engine. */
class TickerTest {

    @Test
    void onTickRunsOnTheMainThreadAtTheDelaysItReturnsAndShutdownStopsTheEngine() throws Exception {
        Set<String> threadsBefore = TestServers.gnetjThreads();
        Duration delay = Duration.ofMillis(100);
        int ticks = 5;
        Tick again = Tick.after(delay);
        List<Long> times = new ArrayList<>();
        List<String> threads = new ArrayList<>();
        AtomicInteger shutdowns = new AtomicInteger();
        EventHandler handler = new EventHandler() {
            @Override
            public Tick onTick() {
                // Only the main thread calls onTick, so plain lists are fine; read after stop.
                times.add(System.nanoTime());
                threads.add(Thread.currentThread().getName());
                return times.size() == ticks ? Tick.shutdown() : again;
            }

            @Override
            public void onShutdown(Engine engine) {
                shutdowns.incrementAndGet();
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).ticker(true).build());
        try {
            TestServers.await("Tick.shutdown() stopped the engine", () -> !engine.isRunning());
            engine.awaitTermination();
        } finally {
            engine.stop();
        }
        assertThat(times).as("ticks").hasSize(ticks);
        assertThat(threads).allMatch(name -> name.startsWith("gnetj-main"), "runs on gnetj-main-*");
        // Each tick comes no earlier than the delay the previous one returned. The engine reads
        // the clock just before calling onTick, and a loaded machine may preempt the main thread
        // in between, which shortens the measured gap: allow a quarter of the delay for that.
        Duration slack = delay.dividedBy(4);
        for (int i = 1; i < times.size(); i++) {
            assertThat(Duration.ofNanos(times.get(i) - times.get(i - 1))).as("gap before tick %d", i)
                    .isGreaterThanOrEqualTo(delay.minus(slack));
        }
        assertThat(Duration.ofNanos(times.get(ticks - 1) - times.get(0))).as("time from first to last tick")
                .isGreaterThanOrEqualTo(delay.multipliedBy(ticks - 1).minus(slack));
        assertThat(shutdowns.get()).isEqualTo(1);
        assertThat(TestServers.gnetjThreads()).as("gnetj threads alive after stop").isSubsetOf(threadsBefore);
    }

    @Test
    void tickerIsOffUnlessAskedFor() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        EventHandler handler = new EventHandler() {
            @Override
            public Tick onTick() {
                ticks.incrementAndGet();
                return Tick.after(Duration.ZERO);
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).build());
        try (java.net.Socket socket = TestServers.connect(engine)) {
            // A round trip through the engine: the main thread has been running meanwhile.
            TestServers.write(socket, new byte[] {1});
            TestServers.await("connection counted", () -> engine.countConnections() == 1);
        } finally {
            engine.stop();
        }
        assertThat(ticks.get()).isZero();
    }
}
