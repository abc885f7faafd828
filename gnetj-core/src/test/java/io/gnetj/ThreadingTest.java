package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Which {@link Conn} methods work from which thread, and what stays readable after close. */
class ThreadingTest {

    /** Keeps the connection and its loop thread. */
    private static class Holder implements EventHandler {
        final AtomicReference<Conn> conn = new AtomicReference<>();
        final AtomicReference<Thread> loop = new AtomicReference<>();

        @Override
        public Action onOpen(Conn c) {
            loop.set(Thread.currentThread());
            conn.set(c);
            return Action.NONE;
        }
    }

    @Test
    void loopOnlyMethodsThrowIllegalStateOffTheLoopThread() throws Exception {
        Holder holder = new Holder();
        Engine engine = TestServers.start(holder, Options.builder().numEventLoops(1).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.await("connection opened", () -> holder.conn.get() != null);
            Conn conn = holder.conn.get();
            List<Runnable> loopOnly = List.of(
                    () -> conn.write(new byte[] {1}),
                    () -> conn.write(ByteBuffer.allocate(1)),
                    () -> conn.writev(ByteBuffer.allocate(1)),
                    () -> conn.peek(1),
                    () -> conn.next(1),
                    () -> conn.discard(1),
                    () -> conn.read(ByteBuffer.allocate(1)),
                    () -> conn.inboundBuffered(),
                    () -> conn.flush());
            for (int i = 0; i < loopOnly.size(); i++) {
                Runnable call = loopOnly.get(i);
                assertThatThrownBy(call::run).as("loop-only call #%d from the test thread", i)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(holder.loop.get().getName());
            }
            // What any thread may do.
            assertThat(conn.isOpen()).isTrue();
            assertThat(conn.localAddress()).isEqualTo(socket.getRemoteSocketAddress());
            assertThat(conn.remoteAddress()).isEqualTo(socket.getLocalSocketAddress());
            assertThat((Object) conn.context()).isNull();
            assertThat(conn.outboundBuffered()).isZero();
            assertThat(conn.isWritable()).isTrue();
            assertThat(conn.inEventLoop()).isFalse();
            conn.setTcpNoDelay(true);

            // Nothing was written by the refused calls: the connection still echoes nothing back.
            CountDownLatch written = new CountDownLatch(1);
            conn.asyncWrite(ByteBuffer.wrap(new byte[] {9}), (c, e) -> written.countDown());
            assertThat(written.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(TestServers.readExactly(socket.getInputStream(), 1)).containsExactly(9);
        } finally {
            engine.stop();
        }
    }

    @Test
    void contextAndAddressesStayReadableInOnCloseAndAfterwards() throws Exception {
        AtomicReference<Object> contextInOnClose = new AtomicReference<>();
        AtomicReference<SocketAddress> remoteInOnClose = new AtomicReference<>();
        AtomicReference<SocketAddress> localInOnClose = new AtomicReference<>();
        AtomicReference<Integer> inboundInOnClose = new AtomicReference<>();
        AtomicReference<Throwable> writeInOnClose = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        Holder holder = new Holder() {
            @Override
            public Action onOpen(Conn c) {
                c.context("session-" + c.remoteAddress());
                return super.onOpen(c);
            }

            @Override
            public Action onClose(Conn c, Throwable cause) {
                contextInOnClose.set(c.context());
                remoteInOnClose.set(c.remoteAddress());
                localInOnClose.set(c.localAddress());
                inboundInOnClose.set(c.inboundBuffered());
                try {
                    c.write(new byte[] {1});
                } catch (RuntimeException e) {
                    writeInOnClose.set(e);
                }
                closed.countDown();
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(holder, Options.builder().numEventLoops(1).build());
        SocketAddress clientAddress;
        SocketAddress serverAddress;
        try (Socket socket = TestServers.connect(engine)) {
            clientAddress = socket.getLocalSocketAddress();
            serverAddress = socket.getRemoteSocketAddress();
            TestServers.await("connection opened", () -> holder.conn.get() != null);
        }
        Conn conn = holder.conn.get();
        try {
            assertThat(closed.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("onClose ran").isTrue();
            assertThat(contextInOnClose.get()).isEqualTo("session-" + clientAddress);
            assertThat(remoteInOnClose.get()).isEqualTo(clientAddress);
            assertThat(localInOnClose.get()).isEqualTo(serverAddress);
            assertThat(inboundInOnClose.get()).as("inbound bytes readable in onClose").isZero();
            assertThat(writeInOnClose.get()).as("a write in onClose").isInstanceOf(ConnectionClosedException.class);
        } finally {
            engine.stop();
        }
        // And after the engine is gone, from any thread.
        assertThat(conn.isOpen()).isFalse();
        assertThat((Object) conn.context()).isEqualTo("session-" + clientAddress);
        assertThat(conn.remoteAddress()).isEqualTo(clientAddress);
        assertThat(conn.localAddress()).isEqualTo(serverAddress);
    }

    @Test
    void wakeRunsOnTrafficThenTheCallbackOnTheLoopThread() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Holder holder = new Holder() {
            @Override
            public Action onTraffic(Conn c) {
                events.add("onTraffic on " + Thread.currentThread().getName() + " with " + c.inboundBuffered() + " bytes");
                c.write("woken\n".getBytes(StandardCharsets.US_ASCII));
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(holder, Options.builder().numEventLoops(2).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.await("connection opened", () -> holder.conn.get() != null);
            String loop = holder.loop.get().getName();
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<Throwable> error = new AtomicReference<>();
            holder.conn.get().wake((c, e) -> {
                events.add("callback on " + Thread.currentThread().getName());
                error.set(e);
                done.countDown();
            });
            assertThat(done.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("wake callback ran").isTrue();
            assertThat(error.get()).isNull();
            assertThat(events).containsExactly("onTraffic on " + loop + " with 0 bytes", "callback on " + loop);
            // What the woken handler wrote went out.
            assertThat(new String(TestServers.readExactly(socket.getInputStream(), 6), StandardCharsets.US_ASCII))
                    .isEqualTo("woken\n");
        } finally {
            engine.stop();
        }
    }

    /** Counts onTraffic calls; a wake's bytes are none, so every call here is a wake. */
    private static final class WakeCounter extends Holder {
        final java.util.concurrent.atomic.AtomicLong traffic = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public Action onTraffic(Conn c) {
            traffic.incrementAndGet();
            return Action.NONE;
        }
    }

    @Test
    void wakesFromEightThreadsAtOnceEachRunOnTrafficOnceAndTheirCallbackOnce() throws Exception {
        int threads = 8;
        int wakesEach = 2_000;
        WakeCounter holder = new WakeCounter();
        Engine engine = TestServers.start(holder, Options.builder().numEventLoops(1).build());
        java.util.concurrent.ExecutorService exec = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.await("connection opened", () -> holder.conn.get() != null);
            Conn conn = holder.conn.get();
            java.util.concurrent.atomic.AtomicLongArray callbacks = new java.util.concurrent.atomic.AtomicLongArray(threads);
            AtomicReference<Throwable> error = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int id = t;
                Callback callback = (c, e) -> { // one per thread, reused for all its wakes
                    if (e != null) {
                        error.compareAndSet(null, e);
                    }
                    callbacks.incrementAndGet(id);
                };
                exec.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < wakesEach; i++) {
                        conn.wake(callback); // no waiting: most of these find the shared task pending
                    }
                });
            }
            start.countDown();
            long total = (long) threads * wakesEach;
            TestServers.await("all " + total + " wakes to run onTraffic", () -> holder.traffic.get() >= total);
            for (int t = 0; t < threads; t++) {
                int id = t;
                TestServers.await("thread " + t + "'s callbacks", () -> callbacks.get(id) >= wakesEach);
            }
            assertThat(error.get()).isNull();
            assertThat(holder.traffic.get()).as("onTraffic calls: wakes are never merged").isEqualTo(total);
            for (int t = 0; t < threads; t++) {
                assertThat(callbacks.get(t)).as("callbacks of thread %d", t).isEqualTo(wakesEach);
            }
        } finally {
            exec.shutdownNow();
            engine.stop();
        }
    }

    @Test
    void aWorkerThatWakesAndWaitsReusesOneTaskInsteadOfAllocatingPerWake() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        WakeCounter holder = new WakeCounter();
        Engine engine = TestServers.start(holder, Options.builder().numEventLoops(1).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.await("connection opened", () -> holder.conn.get() != null);
            Conn conn = holder.conn.get();
            java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
            Callback callback = (c, e) -> done.incrementAndGet();
            int warmUp = 5_000;
            int measured = 20_000;
            wakeAndWait(conn, callback, done, warmUp);
            long before = mx.getCurrentThreadAllocatedBytes();
            wakeAndWait(conn, callback, done, measured);
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            // Was 24 B per wake (a new task each time). What is left is the loop's unbounded task
            // queue linking a new 1,024-slot chunk every 1,023 posts: about 4 B per wake.
            assertThat((double) allocated / measured).as("bytes allocated by the waking thread per wake")
                    .isLessThan(8.0);
            assertThat(holder.traffic.get()).isEqualTo(warmUp + measured);
        } finally {
            engine.stop();
        }
    }

    private static void wakeAndWait(Conn conn, Callback callback, java.util.concurrent.atomic.AtomicLong done, int wakes) {
        long deadline = System.nanoTime() + TestServers.WAIT.toNanos();
        for (int i = 0; i < wakes; i++) {
            long target = done.get() + 1;
            conn.wake(callback);
            while (done.get() < target) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("wake " + i + " did not complete within " + TestServers.WAIT);
                }
                Thread.onSpinWait();
            }
        }
    }
}
