package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Options a user may reasonably give: values the kernel would refuse are refused when the options
 * are built, naming the option, instead of killing the engine at its first accept; "forever"
 * durations mean forever instead of overflowing into a second; defaults are safe together.
 */
class OptionsTest {

    private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    @Test
    void keepAliveValuesOutsideTheKernelsRangeAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> Options.builder().tcpKeepAlive(Duration.ofHours(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tcpKeepAlive").hasMessageContaining("32767");
        assertThatThrownBy(() -> Options.builder().tcpKeepAliveInterval(Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tcpKeepAliveInterval");
        assertThatThrownBy(() -> Options.builder().tcpKeepAliveCount(200))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tcpKeepAliveCount").hasMessageContaining("127");
        assertThatThrownBy(() -> Options.builder().tcpKeepAlive(Duration.ofMillis(1500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole seconds");
    }

    @Test
    void keepAliveAtTheEdgesOfTheKernelsRangeServes() throws Exception {
        Options options = Options.builder().numEventLoops(1)
                .tcpKeepAlive(Duration.ofSeconds(Options.Builder.MAX_KEEPALIVE_SECONDS))
                .tcpKeepAliveInterval(Duration.ofSeconds(1))
                .tcpKeepAliveCount(Options.Builder.MAX_KEEPALIVE_COUNT).build();
        Engine engine = TestServers.start(new Echo(), options);
        try {
            for (int i = 0; i < 3; i++) {
                assertEchoes(engine);
            }
            assertThat(engine.isRunning()).isTrue();
        } finally {
            engine.stop();
        }
    }

    @Test
    void aForeverIdleTimeoutNeverClosesAConnection() throws Exception {
        // A 400 ms close timeout makes the sweep run every 100 ms; an idle timeout that overflowed
        // into a negative tick count closed every connection at the first sweep.
        Options options = Options.builder().numEventLoops(1)
                .idleTimeout(Duration.ofNanos(Long.MAX_VALUE)).closeTimeout(Duration.ofMillis(400)).build();
        Engine engine = TestServers.start(new Echo(), options);
        try (Socket socket = TestServers.connect(engine)) {
            echo(socket);
            Thread.sleep(500); // five sweeps: proving an absence takes time
            echo(socket);
            assertThat(engine.countConnections()).isEqualTo(1);
        } finally {
            engine.stop();
        }
    }

    @Test
    void foreverDurationsStartServeAndStop() throws Exception {
        Options options = Options.builder().numEventLoops(1)
                .idleTimeout(FOREVER).closeTimeout(FOREVER).connectTimeout(FOREVER).build();
        Engine engine = TestServers.start(new Echo(), options);
        Client client = Client.start(new EventHandler() { }, options);
        try {
            assertEchoes(engine);
            // A dial waits for its connect timeout (plus a margin): forever, not an overflow.
            Conn dialed = client.dial("tcp://127.0.0.1:" + TestServers.port(engine));
            assertThat(dialed.isOpen()).isTrue();
        } finally {
            client.stop();
            engine.stop();
        }
        assertThat(engine.isRunning()).isFalse();
    }

    @Test
    void aTickerThatAsksForNoMoreTicksLeavesTheEngineServing() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        EventHandler handler = new Echo() {
            @Override
            public Tick onTick() {
                ticks.incrementAndGet();
                return Tick.after(FOREVER);
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).ticker(true).build());
        try {
            TestServers.await("the first tick", () -> ticks.get() == 1);
            assertEchoes(engine);
            assertThat(engine.isRunning()).as("a FOREVER tick delay stopped the engine").isTrue();
            assertThat(ticks.get()).isEqualTo(1);
        } finally {
            engine.stop();
        }
    }

    @Test
    void settingTheOutboundCapAloneScalesTheDefaultWaterMarksDown() {
        Options options = Options.builder().maxOutboundBuffered(16 * 1024).build();
        assertThat(options.writeBufferHighWaterMark()).isEqualTo(16 * 1024);
        assertThat(options.writeBufferLowWaterMark()).isLessThanOrEqualTo(8 * 1024);
        assertThatThrownBy(() -> Options.builder().writeBufferWaterMarks(1024, 64 * 1024).maxOutboundBuffered(16 * 1024).build())
                .as("water marks set explicitly past the cap are an error").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scalingTheWaterMarksDownLeavesTheBuilderAlone() {
        Options.Builder builder = Options.builder().maxOutboundBuffered(1000);
        assertThat(builder.build().writeBufferHighWaterMark()).isEqualTo(1000);
        Options raised = builder.maxOutboundBuffered(1 << 24).build();
        assertThat(raised.writeBufferHighWaterMark()).as("the default again, once the cap is raised").isEqualTo(64 * 1024);
        Options viaToBuilder = Options.builder().maxOutboundBuffered(1000).build().toBuilder().maxOutboundBuffered(1 << 24).build();
        assertThat(viaToBuilder.writeBufferHighWaterMark()).isEqualTo(64 * 1024);
        assertThat(viaToBuilder.writeBufferLowWaterMark()).isEqualTo(32 * 1024);
        Options set = Options.builder().writeBufferWaterMarks(100, 500).build().toBuilder().build();
        assertThat(set.writeBufferHighWaterMark()).as("marks set explicitly survive toBuilder").isEqualTo(500);
    }

    @Test
    void theDefaultsAreBoundedAndTheMemoryBudgetFollowsTheJvmsDirectMemory() {
        Options defaults = Options.defaults();
        assertThat(defaults.writeBufferHighWaterMark()).isEqualTo(64 * 1024);
        assertThat(defaults.writeBufferLowWaterMark()).isEqualTo(32 * 1024);
        assertThat(defaults.maxInboundBuffered()).isEqualTo(4 * 1024 * 1024);
        assertThat(defaults.maxOutboundBuffered()).isEqualTo(16 * 1024 * 1024);
        // The tests run with -XX:MaxDirectMemorySize=1g: half of it.
        assertThat(defaults.memoryBudget()).isEqualTo(512L * 1024 * 1024);
        assertThatThrownBy(() -> Options.builder().memoryBudget(1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memoryBudget");
    }

    private static void assertEchoes(Engine engine) throws Exception {
        try (Socket socket = TestServers.connect(engine)) {
            echo(socket);
        }
    }

    private static void echo(Socket socket) throws Exception {
        byte[] ping = {1, 2, 3, 4};
        TestServers.write(socket, ping);
        InputStream in = socket.getInputStream();
        assertThat(TestServers.readExactly(in, ping.length)).isEqualTo(ping);
    }

    private static class Echo implements EventHandler {
        @Override
        public Action onTraffic(Conn conn) {
            conn.write(conn.next(-1));
            return Action.NONE;
        }
    }
}
