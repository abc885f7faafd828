package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link Engine#stop()} closes everything, runs every callback, and returns after all threads end. */
class StopTest {

    private static final class Counting implements EventHandler {
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger shutdowns = new AtomicInteger();
        final AtomicInteger closesSeenAtShutdown = new AtomicInteger(-1);
        final AtomicInteger connectionsSeenAtShutdown = new AtomicInteger(-1);
        final AtomicReference<Throwable> unexpectedCause = new AtomicReference<>();

        @Override
        public Action onOpen(Conn conn) {
            opens.incrementAndGet();
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            if (cause != null) {
                unexpectedCause.set(cause);
            }
            closes.incrementAndGet();
            return Action.NONE;
        }

        @Override
        public void onShutdown(Engine engine) {
            closesSeenAtShutdown.set(closes.get());
            connectionsSeenAtShutdown.set(engine.countConnections());
            shutdowns.incrementAndGet();
        }
    }

    @Test
    void stopWithAThousandLiveConnectionsClosesEachOnceAndEndsEveryThread() throws Exception {
        Set<String> threadsBefore = TestServers.gnetjThreads();
        BufferPool pool = BufferPool.create();
        Counting handler = new Counting();
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(2).bufferPool(pool).build());
        int n = 1_000;
        List<Socket> clients = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                clients.add(TestServers.connect(engine));
            }
            TestServers.await(n + " connections opened", () -> handler.opens.get() == n);
            assertThat(engine.countConnections()).isEqualTo(n);

            engine.stop();

            // No waiting from here on: stop() returns only once all of this is done.
            assertThat(handler.closes.get()).as("onClose calls").isEqualTo(handler.opens.get());
            assertThat(handler.unexpectedCause.get()).as("a close cause").isNull();
            assertThat(engine.countConnections()).isZero();
            assertThat(handler.shutdowns.get()).as("onShutdown calls").isEqualTo(1);
            assertThat(handler.closesSeenAtShutdown.get()).as("onClose calls before onShutdown").isEqualTo(n);
            assertThat(handler.connectionsSeenAtShutdown.get()).as("connections at onShutdown").isZero();
            assertThat(engine.isRunning()).isFalse();
            assertThat(TestServers.gnetjThreads()).as("gnetj threads alive after stop").isSubsetOf(threadsBefore);

            engine.stop(); // idempotent
            assertThat(handler.shutdowns.get()).as("onShutdown calls after a second stop").isEqualTo(1);

            for (Socket client : clients) {
                assertThat(client.getInputStream().read()).as("client sees EOF").isEqualTo(-1);
            }
        } finally {
            engine.stop();
            for (Socket client : clients) {
                client.close();
            }
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void awaitTerminationOnAnEngineThreadThrowsInsteadOfWaitingForItself() throws Exception {
        java.util.concurrent.CompletableFuture<Throwable> fromBoot = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Throwable> fromLoop = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Throwable> fromTick = new java.util.concurrent.CompletableFuture<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onBoot(Engine engine) {
                fromBoot.complete(awaitFails(engine));
                return Action.NONE;
            }

            @Override
            public Action onOpen(Conn conn) {
                fromLoop.complete(awaitFails(engineOf.join()));
                return Action.CLOSE;
            }

            @Override
            public void onShutdown(Engine engine) { // the engine's main thread
                fromTick.complete(awaitFails(engine));
            }

            final java.util.concurrent.CompletableFuture<Engine> engineOf = new java.util.concurrent.CompletableFuture<>();

            private Throwable awaitFails(Engine engine) {
                engineOf.complete(engine);
                try {
                    engine.awaitTermination();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).build());
        try (java.net.Socket socket = TestServers.connect(engine)) {
            fromLoop.get(TestServers.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            engine.stop();
        }
        engine.awaitTermination(); // from the test thread: returns, the engine has stopped
        for (java.util.concurrent.CompletableFuture<Throwable> f : List.of(fromBoot, fromLoop, fromTick)) {
            assertThat(f.get(TestServers.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("would wait for itself");
        }
    }

    @Test
    void stopCalledFromOnBootStopsTheEngineInsteadOfWaitingForever() throws Exception {
        Set<String> threadsBefore = TestServers.gnetjThreads();
        AtomicInteger shutdowns = new AtomicInteger();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onBoot(Engine engine) {
                // onBoot runs on the caller's thread before the engine's main thread exists.
                engine.stop();
                return Action.NONE;
            }

            @Override
            public void onShutdown(Engine engine) {
                shutdowns.incrementAndGet();
            }
        };
        java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<Engine> started = starter.submit(
                    () -> TestServers.start(handler, Options.builder().numEventLoops(1).build()));
            Engine engine;
            try {
                engine = started.get(TestServers.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("Gnet.start did not return: stop() in onBoot waits for itself", e);
            }
            engine.stop();
            assertThat(engine.isRunning()).isFalse();
            assertThat(shutdowns.get()).isEqualTo(1);
        } finally {
            starter.shutdownNow();
        }
        assertThat(TestServers.gnetjThreads()).as("gnetj threads alive after stop").isSubsetOf(threadsBefore);
    }

    @Test
    void shutdownActionFromAHandlerStopsTheEngine() throws Exception {
        Set<String> threadsBefore = TestServers.gnetjThreads();
        AtomicReference<Engine> booted = new AtomicReference<>();
        AtomicInteger shutdowns = new AtomicInteger();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onBoot(Engine engine) {
                booted.set(engine);
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn conn) {
                // stop() from a loop thread must not wait for itself.
                booted.get().stop();
                return Action.SHUTDOWN;
            }

            @Override
            public void onShutdown(Engine engine) {
                shutdowns.incrementAndGet();
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(2).build());
        try (Socket socket = TestServers.connect(engine)) {
            assertThat(booted.get()).as("onBoot ran before start returned").isSameAs(engine);
            TestServers.write(socket, new byte[] {1});
            TestServers.await("engine stopped", () -> !engine.isRunning());
            engine.awaitTermination();
            assertThat(shutdowns.get()).isEqualTo(1);
            assertThat(socket.getInputStream().read()).as("client sees EOF").isEqualTo(-1);
        } finally {
            engine.stop();
        }
        assertThat(TestServers.gnetjThreads()).as("gnetj threads alive after stop").isSubsetOf(threadsBefore);
    }

    /** Writes {@code size} bytes of the pattern to every connection as it opens; records close causes. */
    private static final class BigWriter implements EventHandler {
        final int size;
        final java.util.List<Throwable> causes = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();

        BigWriter(int size) {
            this.size = size;
        }

        @Override
        public Action onOpen(Conn conn) {
            byte[] bytes = new byte[size];
            new BackpressureTest.PatternWriter().fill(bytes, size);
            conn.write(bytes);
            opens.incrementAndGet();
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            if (cause != null) {
                causes.add(cause);
            }
            closes.incrementAndGet();
            return Action.NONE;
        }
    }

    @Test
    void stopLetsAReadingPeerTakeEverythingQueuedBeforeClosing() throws Exception {
        int size = 4 * 1024 * 1024;
        BigWriter handler = new BigWriter(size);
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).socketSendBuffer(64 * 1024).build());
        java.util.concurrent.ExecutorService exec = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (Socket socket = TestServers.connectSmallBuffers(engine, 64 * 1024)) {
            TestServers.await("connection opened", () -> handler.opens.get() == 1);
            java.util.concurrent.Future<Long> read = exec.submit(() -> {
                BackpressureTest.PatternChecker checker = new BackpressureTest.PatternChecker();
                java.io.InputStream in = socket.getInputStream();
                byte[] buf = new byte[16 * 1024];
                long total = 0;
                for (int r; (r = in.read(buf)) >= 0; ) {
                    checker.check(buf, r, total);
                    total += r;
                }
                return total;
            });
            engine.stop(); // while megabytes are still queued: the peer reads them all first
            assertThat(read.get(TestServers.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                    .as("bytes the peer received before the end of stream").isEqualTo(size);
            assertThat(handler.closes.get()).isEqualTo(1);
            assertThat(handler.causes).as("an orderly close").isEmpty();
        } finally {
            exec.shutdownNow();
            engine.stop();
        }
    }

    @Test
    void stopSaysHowManyBytesAPeerThatDoesNotReadNeverGot() throws Exception {
        BigWriter handler = new BigWriter(4 * 1024 * 1024);
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1)
                .closeTimeout(java.time.Duration.ofMillis(300)).socketSendBuffer(16 * 1024).build());
        try (Socket socket = TestServers.connectSmallBuffers(engine, 16 * 1024)) {
            TestServers.await("connection opened", () -> handler.opens.get() == 1);
            long start = System.nanoTime();
            engine.stop();
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).as("stop waits at most about closeTimeout")
                    .isLessThan(java.time.Duration.ofSeconds(10));
            assertThat(handler.causes).as("the cause onClose received").singleElement()
                    .isInstanceOf(ConnectionClosedException.class)
                    .satisfies(c -> assertThat(c.getMessage()).contains("bytes unsent"));
        }
    }
}
