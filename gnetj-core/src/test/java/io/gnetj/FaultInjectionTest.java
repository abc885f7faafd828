package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * Faults injected into a running engine: handlers that throw, {@code asyncWrite} from many threads
 * while connections close under it, {@code stop()} under full load. After each, the books must
 * balance ({@link Ledger}): one {@code onClose} per {@code onOpen}, every callback run exactly
 * once, every pooled byte returned, every engine thread ended (and the class-wide leak check of
 * {@code LeakCheckExtension}, with every pooled buffer tracked, finds no buffer dropped unreleased).
 */
class FaultInjectionTest {

    /** Thrown on purpose; identity tells which onClose it must reach. */
    private static final class InjectedFault extends RuntimeException {
        InjectedFault(String what) {
            super(what, null, false, false);
        }
    }

    private static final long BOUND_SECONDS = 30;

    // ---- a handler that throws on every Nth event ----

    /** Echo; every {@code n}th onOpen/onTraffic throws, every {@code n}th onClose and callback too. */
    private static final class EveryNth implements EventHandler {
        final Ledger ledger;
        final int n;
        final AtomicLong events = new AtomicLong();
        final AtomicLong closeEvents = new AtomicLong();
        final Map<Conn, InjectedFault> thrown = new ConcurrentHashMap<>();
        final AtomicBoolean injecting = new AtomicBoolean(true);

        EveryNth(Ledger ledger, int n) {
            this.ledger = ledger;
            this.n = n;
        }

        private void maybeThrow(Conn conn, String where) {
            if (injecting.get() && events.incrementAndGet() % n == 0) {
                InjectedFault fault = new InjectedFault(where + " fault for " + conn);
                thrown.put(conn, fault);
                throw fault;
            }
        }

        @Override
        public Action onOpen(Conn conn) {
            ledger.opened(conn);
            maybeThrow(conn, "onOpen");
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            ByteBuffer in = conn.next(-1);
            conn.write(in);
            maybeThrow(conn, "onTraffic");
            if (injecting.get() && events.get() % 3 == 0) {
                // A wake whose callback throws: the engine must log it and carry on.
                Callback counted = ledger.callback();
                conn.wake((c, e) -> {
                    counted.onComplete(c, e);
                    throw new InjectedFault("wake callback");
                });
            }
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            ledger.closed(conn, cause);
            if (injecting.get() && closeEvents.incrementAndGet() % n == 0) {
                throw new InjectedFault("onClose");
            }
            return Action.NONE;
        }
    }

    @Test
    void handlerThrowingOnEveryNthEventClosesOnlyThoseConnectionsWithTheirOwnFault() throws Exception {
        BufferPool pool = BufferPool.create();
        Ledger ledger = new Ledger(1_000_000);
        EveryNth handler = new EveryNth(ledger, 7);
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(2).bufferPool(pool).build());
        int threads = 4;
        int connectionsPerThread = 60;
        int messages = 12;
        AtomicInteger cutShort = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        try {
            List<Thread> clients = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread client = new Thread(() -> {
                    try {
                        byte[] msg = new byte[200];
                        for (int c = 0; c < connectionsPerThread; c++) {
                            try (Socket s = TestServers.connect(engine)) {
                                boolean whole = true;
                                for (int m = 0; m < messages && whole; m++) {
                                    msg[0] = (byte) m;
                                    whole = exchange(s, msg);
                                }
                                (whole ? completed : cutShort).incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "fault-client-" + t);
                client.start();
                clients.add(client);
            }
            for (Thread client : clients) {
                client.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
                assertThat(client.isAlive()).as(client.getName() + " still running after " + BOUND_SECONDS + " s").isFalse();
            }
            assertThat(failures).as("client failures").isEmpty();
            int total = threads * connectionsPerThread;
            TestServers.await("every connection closed on the server",
                    () -> ledger.openCount() == total && ledger.closeCount() == total);

            // Every fault thrown from onOpen/onTraffic reached its own connection's onClose, and
            // no connection closed with any other cause.
            assertThat(handler.thrown).as("faults injected").isNotEmpty();
            for (Map.Entry<Conn, InjectedFault> e : handler.thrown.entrySet()) {
                assertThat(ledger.causeOf(e.getKey())).as("onClose cause of " + e.getKey()).isSameAs(e.getValue());
            }
            assertThat(ledger.causes().keySet()).as("connections closed with a cause").isEqualTo(handler.thrown.keySet());
            // A fault thrown after the echo was written still lets that echo out: a client may finish.
            assertThat(cutShort.get()).as("client connections cut short").isPositive()
                    .isLessThanOrEqualTo(handler.thrown.size());

            // The loops lived through it: a new connection is served as usual.
            handler.injecting.set(false);
            try (Socket s = TestServers.connect(engine)) {
                assertThat(exchange(s, new byte[] {1, 2, 3})).as("echo after the faults").isTrue();
            }
            System.out.printf("every 7th event threw: %d connections, %d cut short by a fault, %d completed%n",
                    total, cutShort.get(), completed.get());
        } finally {
            engine.stop();
        }
        ledger.assertBalanced(engine, pool);
    }

    /** Sends {@code msg} and reads its echo; false if the server closed (a fault) instead. */
    private static boolean exchange(Socket s, byte[] msg) throws IOException {
        try {
            OutputStream out = s.getOutputStream();
            out.write(msg);
            out.flush();
            InputStream in = s.getInputStream();
            int off = 0;
            byte[] back = new byte[msg.length];
            while (off < back.length) {
                int r = in.read(back, off, back.length - off);
                if (r < 0) {
                    return false;
                }
                off += r;
            }
            assertThat(back).isEqualTo(msg);
            return true;
        } catch (java.net.SocketException e) {
            return false; // reset: the server closed while our bytes were in flight
        }
    }

    // ---- asyncWrite from many threads while connections close ----

    /** Records connections in slots that writer threads pick from. */
    private static final class Slots implements EventHandler {
        final Ledger ledger;
        final AtomicReferenceArray<Conn> slots;
        final AtomicInteger next = new AtomicInteger();

        Slots(Ledger ledger, int size) {
            this.ledger = ledger;
            this.slots = new AtomicReferenceArray<>(size);
        }

        @Override
        public Action onOpen(Conn conn) {
            ledger.opened(conn);
            slots.set(Math.floorMod(next.getAndIncrement(), slots.length()), conn);
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            conn.discard(-1);
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            ledger.closed(conn, cause);
            return Action.NONE;
        }
    }

    @Test
    void asyncWritesFromManyThreadsWhileConnectionsCloseRunEveryCallbackOnce() throws Exception {
        BufferPool pool = BufferPool.create();
        long runNanos = TimeUnit.SECONDS.toNanos(2);
        Ledger ledger = new Ledger(4_000_000);
        Slots handler = new Slots(ledger, 48);
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(2).bufferPool(pool).build());
        AtomicBoolean clientsRun = new AtomicBoolean(true);
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger churned = new AtomicInteger();
        // Clients: keep 48 connections, drain them, replace those the server closed, and close
        // one now and then (a third of them by RST).
        Thread clients = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(1);
            List<SocketChannel> open = new ArrayList<>();
            ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
            try {
                while (clientsRun.get()) {
                    while (open.size() < 48) {
                        SocketChannel ch = SocketChannel.open(engine.addresses().get(0));
                        ch.configureBlocking(false);
                        open.add(ch);
                    }
                    for (int i = open.size() - 1; i >= 0; i--) {
                        SocketChannel ch = open.get(i);
                        int r;
                        do {
                            sink.clear();
                            r = ch.read(sink);
                        } while (r > 0);
                        if (r < 0) {
                            ch.close();
                            open.remove(i);
                        }
                    }
                    SocketChannel victim = open.remove(random.nextInt(open.size()));
                    if (random.nextInt(3) == 0) {
                        victim.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                    }
                    victim.close();
                    churned.incrementAndGet();
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // pace: ~500 closes a second
                }
                for (SocketChannel ch : open) {
                    ch.close();
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        }, "async-clients");
        long[] deadlineHolder = new long[1];
        int writerCount = 6;
        CountDownLatch writersDone = new CountDownLatch(writerCount);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < writerCount; w++) {
            int seed = w;
            Thread writer = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                long deadline = deadlineHolder[0];
                // On a loaded machine the clients churn slower: write on (within the bound) until
                // they have closed enough connections under the writers.
                long hardDeadline = deadline + TimeUnit.SECONDS.toNanos(BOUND_SECONDS / 2);
                // At most 256 operations in flight per writer: a writer that outpaces the loops
                // would only grow their task queues (and starve registrations) without bound.
                java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(256);
                try {
                    while ((System.nanoTime() - deadline < 0 || churned.get() <= 300)
                            && System.nanoTime() - hardDeadline < 0 && ledger.hasRoom()) {
                        Conn conn = handler.slots.get(random.nextInt(handler.slots.length()));
                        if (conn == null) {
                            continue;
                        }
                        if (!inFlight.tryAcquire(BOUND_SECONDS, TimeUnit.SECONDS)) {
                            throw new AssertionError("256 callbacks still pending after " + BOUND_SECONDS + " s");
                        }
                        Callback counted = ledger.callback();
                        Callback callback = (c, e) -> {
                            counted.onComplete(c, e);
                            inFlight.release();
                        };
                        int r = random.nextInt(1000);
                        if (r == 0) {
                            conn.close(callback);
                        } else if (r < 10) {
                            conn.wake(callback);
                        } else if (r < 100) {
                            conn.asyncWritev(new ByteBuffer[] {ByteBuffer.allocate(32), ByteBuffer.allocate(100)}, callback);
                        } else {
                            conn.asyncWrite(ByteBuffer.allocate(1 + random.nextInt(256)), callback);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    writersDone.countDown();
                }
            }, "async-writer-" + w);
            writers.add(writer);
        }
        try {
            clients.start();
            TestServers.await("first connections", () -> ledger.openCount() >= 48);
            deadlineHolder[0] = System.nanoTime() + runNanos;
            writers.forEach(Thread::start);
            assertThat(writersDone.await(BOUND_SECONDS, TimeUnit.SECONDS))
                    .as("writers finished within " + BOUND_SECONDS + " s").isTrue();
        } finally {
            clientsRun.set(false);
            clients.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
            engine.stop();
        }
        assertThat(failures).as("client and writer failures").isEmpty();
        // After stop: the loops have ended, so these callbacks run on this thread, at once.
        for (int i = 0; i < handler.slots.length(); i++) {
            Conn conn = handler.slots.get(i);
            if (conn != null) {
                conn.asyncWrite(ByteBuffer.allocate(8), ledger.callback());
                conn.wake(ledger.callback());
                conn.close(ledger.callback());
            }
        }
        System.out.printf("asyncWrite storm: %d callbacks (%d failed), %d connections opened, %d closed by the clients%n",
                ledger.callbacksIssued(), ledger.callbackFailures(), ledger.openCount(), churned.get());
        assertThat(churned.get()).as("connections churned under the writers").isGreaterThan(300);
        assertThat(ledger.callbacksIssued() - ledger.callbackFailures()).as("writes that succeeded").isGreaterThan(10_000);
        ledger.assertBalanced(engine, pool);
    }

    // ---- stop() under full load ----

    private static final class CountingEcho implements EventHandler {
        final Ledger ledger;
        final AtomicReferenceArray<Conn> conns;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger shutdowns = new AtomicInteger();

        CountingEcho(Ledger ledger, int slots) {
            this.ledger = ledger;
            this.conns = new AtomicReferenceArray<>(slots);
        }

        @Override
        public Action onOpen(Conn conn) {
            ledger.opened(conn);
            conns.set(Math.floorMod(next.getAndIncrement(), conns.length()), conn);
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            conn.write(conn.next(-1));
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            ledger.closed(conn, cause);
            return Action.NONE;
        }

        @Override
        public void onShutdown(Engine engine) {
            shutdowns.incrementAndGet();
        }
    }

    @Test
    void stopUnderFullLoadEndsEverythingOnceAndQuickly() throws Exception {
        BufferPool pool = BufferPool.create();
        Ledger ledger = new Ledger(2_000_000);
        int clientCount = 24;
        CountingEcho handler = new CountingEcho(ledger, clientCount);
        // A small outbound cap: the async writers outpace the clients' reading, and past it their
        // writes fail (each callback told) instead of queueing without bound.
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(2).bufferPool(pool)
                .maxOutboundBuffered(4 << 20).build());
        AtomicBoolean run = new AtomicBoolean(true);
        AtomicLong echoed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < clientCount; i++) {
                Socket s = TestServers.connect(engine);
                sockets.add(s);
                threads.add(new Thread(() -> {
                    byte[] chunk = new byte[16 * 1024];
                    try {
                        OutputStream out = s.getOutputStream();
                        while (run.get()) {
                            out.write(chunk);
                        }
                    } catch (IOException expected) {
                        // the engine stopped under us
                    }
                }, "load-writer-" + i));
                threads.add(new Thread(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        InputStream in = s.getInputStream();
                        for (int r; (r = in.read(chunk)) >= 0; ) {
                            echoed.addAndGet(r);
                        }
                    } catch (IOException expected) {
                        // reset when the engine stops with our bytes unread
                    }
                }, "load-reader-" + i));
            }
            for (int i = 0; i < 3; i++) {
                int seed = i;
                threads.add(new Thread(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    while (run.get() && ledger.hasRoom()) {
                        Conn conn = handler.conns.get(random.nextInt(clientCount));
                        if (conn != null) {
                            conn.asyncWrite(ByteBuffer.allocate(512), ledger.callback());
                        }
                        if (random.nextInt(64) == 0) {
                            Thread.yield();
                        }
                    }
                }, "load-async-" + i));
            }
            threads.forEach(Thread::start);
            TestServers.await("1 MiB echoed under load", () -> echoed.get() > 1 << 20);
            long load = echoed.get();
            TestServers.await("load flowing", () -> echoed.get() > load + (4 << 20));

            long start = System.nanoTime();
            engine.stop();
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("stop() under load of %d clients (%d MiB echoed): returned in %d ms%n",
                    clientCount, echoed.get() >> 20, stopMillis);
            assertThat(stopMillis).as("stop() under load took (ms)").isLessThan(10_000);
            assertThat(handler.shutdowns.get()).as("onShutdown calls").isEqualTo(1);
        } finally {
            run.set(false);
            engine.stop();
            for (Socket s : sockets) {
                s.close();
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
                assertThat(t.isAlive()).as(t.getName() + " still running").isFalse();
            }
        }
        Set<Conn> withCause = ledger.causes().keySet();
        for (Conn c : withCause) {
            // Stopping closes without a cause; a client's reset on the way out is an IOException.
            assertThat(ledger.causeOf(c)).as("close cause of " + c).isInstanceOf(IOException.class);
        }
        ledger.assertBalanced(engine, pool);
    }
}
