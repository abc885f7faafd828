package io.gnetj.examples.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Engine;
import io.gnetj.Gnet;
import io.gnetj.Options;
import io.gnetj.examples.RunningServer;
import io.gnetj.pool.WorkerPool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class BlockingEchoIntegrationTest {

    private static final int SLOW_CLIENTS = 500;
    private static final long DELAY_MILLIS = 3000;
    /** The stated bound for a fast answer while every slow request blocks a worker. */
    private static final long FAST_BOUND_MILLIS = 1000;

    @Test
    void aFastLineIsAnsweredAtOnceWhileFiveHundredSlowOnesBlockWorkers() throws Exception {
        WorkerPool pool = WorkerPool.builder(512).name("test-worker").build();
        // One loop: the fast client shares it with all 500 slow ones.
        Engine engine = Gnet.start(new BlockingEchoHandler(pool, Duration.ofMillis(DELAY_MILLIS)), "tcp://127.0.0.1:0",
                Options.builder().numEventLoops(1).build());
        List<Socket> slow = new ArrayList<>();
        try {
            InetSocketAddress address = (InetSocketAddress) engine.addresses().get(0);
            long[] sentAt = new long[SLOW_CLIENTS];
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket s = connect(address);
                slow.add(s);
                sentAt[i] = System.nanoTime();
                send(s, "slow " + i);
            }
            assertThat(await(() -> pool.freeSlots() == pool.capacity() - SLOW_CLIENTS, 30))
                    .as("all %d slow requests handed to workers: %s", SLOW_CLIENTS, pool).isTrue();

            try (Socket fast = connect(address)) {
                long start = System.nanoTime();
                send(fast, "fast ping");
                assertThat(reader(fast).readLine()).isEqualTo("fast ping");
                long fastMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(fastMillis).as("fast answer while every slow request sleeps").isLessThan(FAST_BOUND_MILLIS);
            }

            for (int i = 0; i < SLOW_CLIENTS; i++) {
                assertThat(reader(slow.get(i)).readLine()).isEqualTo("slow " + i);
                long slowMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt[i]);
                assertThat(slowMillis).as("slow request %d", i).isGreaterThanOrEqualTo(DELAY_MILLIS);
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
            engine.stop();
        }
        assertThat(pool.isShutdown()).as("the handler shuts its pool down with the engine").isTrue();
    }

    @Test
    void aFullPoolAnswersBusyAtOnce() throws Exception {
        // Two workers, each blocked for a minute: the third slow line cannot wait for one.
        try (RunningServer server = RunningServer.start(new BlockingEchoExample(), "workers", "2", "delay-ms", "60000");
             Socket s = connect(new InetSocketAddress("127.0.0.1", server.port()))) {
            send(s, "slow a\nslow b\nslow c\nfast d");
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("busy slow c");
            assertThat(in.readLine()).isEqualTo("fast d");
        } // stopping the engine interrupts the two sleeping workers, so this does not take a minute
    }

    @Test
    void slowLinesAreAnsweredOnVirtualThreadsToo() throws Exception {
        // On Java 17 the pool falls back to platform threads; the answers are the same either way.
        try (RunningServer server = RunningServer.start(new BlockingEchoExample(), "delay-ms", "10", "virtual-threads", "true");
             Socket s = connect(new InetSocketAddress("127.0.0.1", server.port()))) {
            send(s, "slow one\nslow two");
            BufferedReader in = reader(s);
            assertThat(List.of(in.readLine(), in.readLine())).containsExactlyInAnyOrder("slow one", "slow two");
        }
    }

    @Test
    void onlyTheFirstWordSlowGoesToThePool() throws Exception {
        try (RunningServer server = RunningServer.start(new BlockingEchoExample(), "workers", "1", "delay-ms", "60000");
             Socket s = connect(new InetSocketAddress("127.0.0.1", server.port()))) {
            send(s, "slowly\nfast slow\n\nslow\nslow x");
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("slowly");
            assertThat(in.readLine()).isEqualTo("fast slow");
            assertThat(in.readLine()).isEmpty();
            // "slow" took the only worker; "slow x" finds the pool full.
            assertThat(in.readLine()).isEqualTo("busy slow x");
        }
    }

    private static Socket connect(InetSocketAddress address) throws Exception {
        Socket s = new Socket();
        s.connect(address, 10_000);
        s.setSoTimeout(30_000);
        return s;
    }

    private static void send(Socket s, String lines) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write((lines + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static BufferedReader reader(Socket s) throws Exception {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** Polls {@code condition} until it holds or {@code seconds} pass. */
    private static boolean await(java.util.function.BooleanSupplier condition, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }
}
