package io.gnetj.examples.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import io.gnetj.buffer.LeakDetector;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.echo.EchoExample;
import io.gnetj.examples.http.HttpExample;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A bounded soak: mixed load with connection churn against the echo and http examples, memory
 * sampled every few seconds and printed as a table. After a warm-up third of the run, memory must
 * stay flat: heap used (after a full collection), direct memory, and each engine pool's bytes
 * allocated, in use and retained may not grow past the warm-up's peak by more than the stated
 * tolerances. No pooled buffer may leak.
 *
 * <p>{@code -Dgnetj.soak.seconds=N} sets the length (24 s by default, for every build; see
 * docs/reliability.md for the longer run).
 */
class SoakTest {

    private static final long SECONDS = Long.getLong("gnetj.soak.seconds", 24);
    private static final long HEAP_TOLERANCE = 24L << 20;
    private static final long DIRECT_TOLERANCE = 16L << 20;
    private static final long POOL_TOLERANCE = 16L << 20;

    private record Sample(long atMillis, long ops, long heapUsed, long direct, long echoAllocated, long echoInUse,
                          long echoRetained, long httpAllocated, long httpInUse, long httpRetained) {
    }

    @Test
    void mixedLoadWithChurnKeepsMemoryFlatAndLeaksNothing() throws Exception {
        long leaksBefore = LeakDetector.totalLeaks();
        BufferPool echoPool = BufferPool.create();
        BufferPool httpPool = BufferPool.create();
        List<Sample> samples = new ArrayList<>();
        AtomicLong ops = new AtomicLong();
        AtomicBoolean run = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (RunningServer echo = RunningServer.start(new EchoExample(), b -> b.bufferPool(echoPool));
             RunningServer http = RunningServer.start(new HttpExample(), b -> b.bufferPool(httpPool));
             Attack.EngineLog log = new Attack.EngineLog()) {
            List<Thread> load = List.of(
                    worker("soak-echo-pingpong", run, failure, r -> echoPingPong(echo.port(), r, run, ops)),
                    worker("soak-echo-churn", run, failure, r -> {
                        echoChurn(echo.port(), r);
                        ops.incrementAndGet();
                    }),
                    worker("soak-http-pipelined", run, failure, r -> httpKeepAlive(http.port(), r, run, ops)),
                    worker("soak-http-churn", run, failure, r -> {
                        httpChurn(http.port(), r);
                        ops.incrementAndGet();
                    }));
            load.forEach(Thread::start);
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
            long interval = Math.max(2, SECONDS / 12) * 1000;
            long start = System.nanoTime();
            System.out.printf("soak: %d s of mixed load, a sample every %d s%n", SECONDS, interval / 1000);
            System.out.printf("%7s %9s %9s %9s | %9s %9s %9s | %9s %9s %9s%n", "t (s)", "ops", "heap MiB", "direct",
                    "echo alloc", "in use", "retained", "http alloc", "in use", "retained");
            while (TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < SECONDS && failure.get() == null) {
                TimeUnit.MILLISECONDS.sleep(interval); // the sampling period, not synchronisation
                System.gc();
                Sample s = new Sample(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), ops.get(),
                        memory.getHeapMemoryUsage().getUsed(), direct.getMemoryUsed(),
                        echoPool.allocatedBytes(), echoPool.inUseBytes(), echoPool.retainedBytes(),
                        httpPool.allocatedBytes(), httpPool.inUseBytes(), httpPool.retainedBytes());
                samples.add(s);
                System.out.printf("%7.1f %9d %9.1f %9.1f | %9.1f %9.1f %9.1f | %9.1f %9.1f %9.1f%n",
                        s.atMillis() / 1000.0, s.ops(), mib(s.heapUsed()), mib(s.direct()), mib(s.echoAllocated()),
                        mib(s.echoInUse()), mib(s.echoRetained()), mib(s.httpAllocated()), mib(s.httpInUse()),
                        mib(s.httpRetained()));
            }
            run.set(false);
            for (Thread t : load) {
                t.join(Attack.WAIT.toMillis());
                assertThat(t.isAlive()).as(t.getName() + " still running").isFalse();
            }
            assertThat(failure.get()).as("load failure").isNull();
            assertThat(log.unexpected()).as("engine warnings naming a bug").isEmpty();
            Attack.await("echo connections closed", Attack.WAIT, () -> echo.engine().countConnections() == 0);
            Attack.await("http connections closed", Attack.WAIT, () -> http.engine().countConnections() == 0);
        }
        assertThat(samples.size()).as("samples").isGreaterThanOrEqualTo(6);
        int warmup = samples.size() / 3;
        List<Sample> warm = samples.subList(0, warmup);
        List<Sample> steady = samples.subList(warmup, samples.size());
        assertFlat("heap used after GC", warm, steady, Sample::heapUsed, HEAP_TOLERANCE);
        assertFlat("direct memory", warm, steady, Sample::direct, DIRECT_TOLERANCE);
        assertFlat("echo pool, allocated ever", warm, steady, Sample::echoAllocated, POOL_TOLERANCE);
        assertFlat("echo pool, retained", warm, steady, Sample::echoRetained, POOL_TOLERANCE);
        assertFlat("http pool, allocated ever", warm, steady, Sample::httpAllocated, POOL_TOLERANCE);
        assertFlat("http pool, retained", warm, steady, Sample::httpRetained, POOL_TOLERANCE);
        assertThat(samples.get(samples.size() - 1).ops()).as("operations done").isGreaterThan(1000);
        assertThat(echoPool.inUseBytes()).as("echo pool bytes in use after stop").isZero();
        assertThat(httpPool.inUseBytes()).as("http pool bytes in use after stop").isZero();
        for (int i = 0; i < 3; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(20); // let the reference handler enqueue cleared buffers
            LeakDetector.collect();
        }
        assertThat(LeakDetector.totalLeaks() - leaksBefore).as("pooled buffers leaked").isZero();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static void assertFlat(String what, List<Sample> warm, List<Sample> steady,
                                   java.util.function.ToLongFunction<Sample> value, long tolerance) {
        long warmPeak = warm.stream().mapToLong(value).max().orElseThrow();
        long steadyPeak = steady.stream().mapToLong(value).max().orElseThrow();
        assertThat(steadyPeak).as("%s after warm-up (MiB; warm-up peak %.1f, tolerance %.1f)", what, mib(warmPeak),
                mib(tolerance)).isLessThanOrEqualTo(warmPeak + tolerance);
    }

    interface Step {
        void run(SplittableRandom random) throws Exception;
    }

    private static Thread worker(String name, AtomicBoolean run, AtomicReference<Throwable> failure, Step step) {
        return new Thread(() -> {
            SplittableRandom random = new SplittableRandom(name.hashCode());
            try {
                while (run.get()) {
                    step.run(random);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
    }

    private static void echoPingPong(int port, SplittableRandom random, AtomicBoolean run, AtomicLong ops) throws IOException {
        try (Socket s = Attack.connect(port)) {
            byte[] msg = new byte[16 * 1024];
            for (int i = 0; i < 500 && run.get(); i++) {
                int n = 2 + random.nextInt(msg.length - 1);
                msg[0] = (byte) i;
                msg[n - 1] = (byte) n;
                s.getOutputStream().write(msg, 0, n);
                byte[] back = s.getInputStream().readNBytes(n);
                assertThat(back.length).isEqualTo(n);
                assertThat(back[0]).isEqualTo((byte) i);
                assertThat(back[n - 1]).isEqualTo((byte) n);
                ops.incrementAndGet();
            }
        }
    }

    private static void echoChurn(int port, SplittableRandom random) throws IOException {
        Socket s = Attack.connect(port);
        int n = 1 + random.nextInt(64 * 1024);
        byte[] msg = new byte[n];
        OutputStream out = s.getOutputStream();
        out.write(msg);
        if (random.nextInt(4) == 0) {
            Attack.reset(s); // gone before the echo: the server must drop it
            return;
        }
        assertThat(s.getInputStream().readNBytes(n)).hasSize(n);
        Attack.reset(s);
    }

    private static void httpKeepAlive(int port, SplittableRandom random, AtomicBoolean run, AtomicLong ops) throws IOException {
        try (Socket s = Attack.connect(port)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 200 && run.get(); i++) {
                if (random.nextBoolean()) {
                    out.write(Attack.ascii("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n".repeat(16)));
                    for (int k = 0; k < 16; k++) {
                        assertThat(Attack.readHttpResponse(in)).endsWith("Hello, World!");
                    }
                } else {
                    int n = 4096 + random.nextInt(60 * 1024);
                    out.write(Attack.ascii("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + n + "\r\n\r\n"));
                    out.write(new byte[n]);
                    assertThat(Attack.readHttpResponse(in)).contains("Content-Length: " + n + "\r\n");
                }
                ops.incrementAndGet();
            }
        }
    }

    private static void httpChurn(int port, SplittableRandom random) throws IOException {
        Socket s = Attack.connect(port);
        s.getOutputStream().write(Attack.ascii("GET /json HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
        if (random.nextInt(4) == 0) {
            Attack.reset(s);
            return;
        }
        assertThat(Attack.readHttpResponse(s.getInputStream())).endsWith("\"Hello, World!\"}");
        Attack.reset(s);
    }
}
