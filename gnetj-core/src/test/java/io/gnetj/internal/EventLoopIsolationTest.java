package io.gnetj.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One connection's failure is that connection's: a throw from its sweep or from its close at
 * shutdown (direct memory running out in an idle flush, an engine bug) closes it and nothing
 * else; the loop carries on, its other connections are served, it still ends, and every
 * operation posted after the end still learns its outcome. And each connection's slot is given
 * back exactly once, whatever happens.
 */
class EventLoopIsolationTest {

    private static final long WAIT_SECONDS = 20;

    /** The least an event loop needs of its engine. */
    static final class StubEngine implements EngineCore {
        final Options options;
        final AtomicInteger connections = new AtomicInteger();

        StubEngine(Options options) {
            this.options = options;
        }

        @Override
        public EventHandler handler() {
            return new EventHandler() { };
        }

        @Override
        public Options options() {
            return options;
        }

        @Override
        public java.nio.channels.spi.SelectorProvider provider() {
            return java.nio.channels.spi.SelectorProvider.provider();
        }

        @Override
        public boolean tryAcquireConnection() {
            connections.incrementAndGet();
            return true;
        }

        @Override
        public void releaseConnection() {
            connections.decrementAndGet();
        }

        @Override
        public Executor tlsTaskExecutor() {
            return Runnable::run;
        }

        @Override
        public void requestStop() {
        }

        @Override
        public java.util.concurrent.CompletableFuture<io.gnetj.Conn> dial(String address, Object context, EventLoop loop) {
            throw new UnsupportedOperationException("not used by the loop's rounds");
        }

        @Override
        public java.util.concurrent.CompletableFuture<io.gnetj.Conn> enroll(java.nio.channels.SocketChannel channel,
                                                                             Object context, EventLoop loop) {
            throw new UnsupportedOperationException("not used by the loop's rounds");
        }
    }

    /** A connection in the loop's table whose rounds count, or throw. */
    static final class FakeConn extends AbstractConn {
        final ConnSlot slot;
        final boolean throwOnSweep;
        final boolean throwOnShutdown;
        final AtomicInteger sweeps = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();

        private final DatagramChannel channel;

        FakeConn(EventLoop loop, DatagramChannel channel, ConnSlot slot, boolean throwOnSweep, boolean throwOnShutdown) {
            super(loop, channel, null, null);
            this.channel = channel;
            this.slot = slot;
            this.throwOnSweep = throwOnSweep;
            this.throwOnShutdown = throwOnShutdown;
            slot.conn = this;
        }

        @Override
        java.nio.channels.NetworkChannel networkChannel() {
            return channel;
        }

        @Override
        void sweepTick(SweepLimits limits) {
            sweeps.incrementAndGet();
            if (throwOnSweep) {
                throw new OutOfMemoryError("Direct buffer memory (injected in a sweep)");
            }
        }

        @Override
        void abortFromLoop(Throwable cause) {
            if (throwOnShutdown) { // the loop cuts what is left at shutdown with abortFromLoop
                throw new IllegalStateException("injected in the close at shutdown");
            }
            close();
        }

        @Override
        void beginShutdown() {
        }


        @Override
        void failed(Throwable t) {
            failures.incrementAndGet();
            close();
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            slot.release();
        }

        // The Conn API is not used by the loop's rounds.
        @Override public java.nio.ByteBuffer next(int n) { throw new UnsupportedOperationException(); }
        @Override public java.nio.ByteBuffer peek(int n) { throw new UnsupportedOperationException(); }
        @Override public int discard(int n) { throw new UnsupportedOperationException(); }
        @Override public int read(java.nio.ByteBuffer dst) { throw new UnsupportedOperationException(); }
        @Override public int inboundBuffered() { return 0; }
        @Override public int write(java.nio.ByteBuffer src) { throw new UnsupportedOperationException(); }
        @Override public int write(byte[] src, int off, int len) { throw new UnsupportedOperationException(); }
        @Override public long writev(java.nio.ByteBuffer... srcs) { throw new UnsupportedOperationException(); }
        @Override public void flush() { }
        @Override public int outboundBuffered() { return 0; }
        @Override public boolean isWritable() { return true; }
        @Override public void pauseReading() { throw new UnsupportedOperationException(); }
        @Override public void resumeReading() { throw new UnsupportedOperationException(); }
        @Override public void shutdownOutput() { throw new UnsupportedOperationException(); }
        @Override public void sendFile(java.nio.channels.FileChannel file, long position, long count, io.gnetj.Callback callback) { throw new UnsupportedOperationException(); }
        @Override public void asyncWrite(java.nio.ByteBuffer src, io.gnetj.Callback callback) { }
        @Override public void asyncWritev(java.nio.ByteBuffer[] srcs, io.gnetj.Callback callback) { }
        @Override public void wake(io.gnetj.Callback callback) { }
        @Override public void close(io.gnetj.Callback callback) { close(); }
        @Override public void abort(Throwable cause) { close(); }
        @Override public boolean isOpen() { return !slot.isReleased(); }
        @Override public void setTcpNoDelay(boolean on) { }
        @Override public void setKeepAlive(boolean on, int idleSeconds, int intervalSeconds, int count) { }
        @Override public void setLinger(int seconds) { }
    }

    /** Runs {@code action} on the loop and waits for it. */
    private static void onLoop(EventLoop loop, Runnable action) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(new LoopTask() {
            @Override
            void run() {
                action.run();
                done.countDown();
            }

            @Override
            void abort(Throwable cause) {
                done.countDown();
            }
        });
        assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("a task ran on the loop").isTrue();
    }

    private static FakeConn add(EventLoop loop, StubEngine engine, DatagramChannel channel, boolean throwOnSweep,
                                boolean throwOnShutdown) throws InterruptedException {
        FakeConn[] made = new FakeConn[1];
        onLoop(loop, () -> {
            ConnSlot slot = ConnSlot.reserve(engine, loop);
            made[0] = new FakeConn(loop, channel, slot, throwOnSweep, throwOnShutdown);
            loop.addToTable(slot);
        });
        return made[0];
    }

    @Test
    void aConnectionWhoseSweepThrowsIsClosedAndTheLoopAndItsOtherConnectionsCarryOn() throws Exception {
        StubEngine engine = new StubEngine(Options.builder().numEventLoops(1).closeTimeout(Duration.ofMillis(100)).build());
        EventLoop loop = new EventLoop(engine, 0, "gnetj-test-loop", BufferPool.create());
        try (DatagramChannel channel = DatagramChannel.open()) {
            loop.start();
            FakeConn bad = add(loop, engine, channel, true, false);
            FakeConn good = add(loop, engine, channel, false, false);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (good.sweeps.get() < 5 && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            assertThat(good.sweeps.get()).as("sweeps of the healthy connection").isGreaterThanOrEqualTo(5);
            assertThat(bad.failures.get()).as("the throwing connection was failed").isEqualTo(1);
            assertThat(bad.closes.get()).isEqualTo(1);
            assertThat(good.closes.get()).isZero();
            onLoop(loop, () -> { }); // the loop still runs tasks
            assertThat(engine.connections.get()).as("slots held: the healthy connection's").isEqualTo(1);
        } finally {
            loop.shutdown();
            loop.thread().join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        assertThat(engine.connections.get()).as("slots held after the loop ended").isZero();
        assertThat(loop.load().get()).isZero();
    }

    @Test
    void aCloseThatThrowsAtShutdownStillEndsTheLoopAndLateOperationsLearnTheirOutcome() throws Exception {
        StubEngine engine = new StubEngine(Options.builder().numEventLoops(1).closeTimeout(Duration.ofMillis(100)).build());
        EventLoop loop = new EventLoop(engine, 0, "gnetj-test-loop", BufferPool.create());
        FakeConn bad;
        FakeConn good;
        try (DatagramChannel channel = DatagramChannel.open()) {
            loop.start();
            bad = add(loop, engine, channel, false, true);
            good = add(loop, engine, channel, false, false);
            loop.shutdown();
            loop.thread().join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        assertThat(loop.thread().isAlive()).as("the loop ended").isFalse();
        assertThat(loop.isTerminated()).as("terminated, so late posts are aborted").isTrue();
        assertThat(bad.failures.get()).isEqualTo(1);
        assertThat(good.closes.get()).as("the other connection was closed too").isEqualTo(1);
        assertThat(engine.connections.get()).as("every slot given back once").isZero();
        CountDownLatch aborted = new CountDownLatch(1);
        loop.execute(new LoopTask() {
            @Override
            void run() {
                throw new AssertionError("ran after the loop ended");
            }

            @Override
            void abort(Throwable cause) {
                aborted.countDown();
            }
        });
        assertThat(aborted.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("a task posted after the end was aborted").isTrue();
    }

    @Test
    void aSlotIsGivenBackOnceHoweverOftenItIsReleased() throws IOException {
        StubEngine engine = new StubEngine(Options.defaults());
        EventLoop loop = new EventLoop(engine, 0, "gnetj-test-loop", BufferPool.create());
        ConnSlot slot = ConnSlot.reserve(engine, loop);
        assertThat(engine.connections.get()).isEqualTo(1);
        assertThat(loop.load().get()).isEqualTo(1);
        assertThat(slot.release()).isTrue();
        assertThat(slot.release()).isFalse();
        assertThat(engine.connections.get()).isZero();
        assertThat(loop.load().get()).isZero();
        loop.selector().close(); // never started
    }
}
