package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The event loop as an API: tasks, timers, and dialing or enrolling onto a chosen loop, on real sockets. */
class EventLoopApiTest {

    /** Generous for a loaded 2-core machine; a lost wake-up would miss it by far (the loop sleeps up to a second). */
    private static final long LATE_MILLIS = 500;

    @Test
    void tasksRunOnTheLoopInTheOrderPostedAndAThrowingTaskDoesNotStopIt() throws Exception {
        Engine engine = TestServers.start(new EventHandler() { }, Options.builder().numEventLoops(2).build());
        try {
            assertThat(engine.eventLoops()).hasSize(2);
            EventLoop loop = engine.eventLoops().get(1);
            assertThat(loop.index()).isEqualTo(1);
            assertThat(loop.inEventLoop()).isFalse();
            List<Integer> ran = new CopyOnWriteArrayList<>();
            List<Boolean> onLoop = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int n = i;
                loop.execute(() -> {
                    ran.add(n);
                    onLoop.add(loop.inEventLoop() && !engine.eventLoops().get(0).inEventLoop());
                });
                if (i == 500) {
                    loop.execute(() -> {
                        throw new IllegalStateException("a task that throws, on purpose");
                    });
                }
            }
            CountDownLatch done = new CountDownLatch(1);
            loop.execute(done::countDown);
            assertThat(done.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(ran).hasSize(1000).isSorted();
            assertThat(onLoop).containsOnly(true);
        } finally {
            engine.stop();
        }
        EventLoop ended = engine.eventLoops().get(0);
        assertThatThrownBy(() -> ended.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("stopped");
        assertThatThrownBy(() -> ended.schedule(() -> { }, Duration.ZERO)).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void timersFireInDeadlineOrderNotEarlyAndCancelledOnesNever() throws Exception {
        Engine engine = TestServers.start(new EventHandler() { }, Options.builder().numEventLoops(1).build());
        try {
            EventLoop loop = engine.eventLoops().get(0);
            List<String> fired = new CopyOnWriteArrayList<>();
            List<Long> lateness = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            int[] delays = {300, 100, 200, 50};
            for (int d : delays) {
                loop.schedule(() -> {
                    lateness.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) - d);
                    fired.add(d + "ms:" + loop.inEventLoop());
                }, Duration.ofMillis(d));
            }
            AtomicBoolean cancelledRan = new AtomicBoolean();
            EventLoop.Scheduled cancelled = loop.schedule(() -> cancelledRan.set(true), Duration.ofMillis(150));
            assertThat(cancelled.cancel()).isTrue();
            assertThat(cancelled.cancel()).as("a second cancel").isFalse();
            CompletableFuture<Void> last = new CompletableFuture<>();
            EventLoop.Scheduled lastTimer = loop.schedule(() -> last.complete(null), Duration.ofMillis(400));
            last.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(lastTimer.cancel()).as("cancel after it ran").isFalse();
            assertThat(fired).containsExactly("50ms:true", "100ms:true", "200ms:true", "300ms:true");
            assertThat(lateness).as("ms after the deadline each ran").allSatisfy(
                    late -> assertThat(late).isBetween(0L, LATE_MILLIS));
            assertThat(cancelledRan).isFalse();
        } finally {
            engine.stop();
        }
    }

    @Test
    void aTimerScheduledInACallbackWritesToItsConnectionLater() throws Exception {
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                String word = StandardCharsets.US_ASCII.decode(conn.next(-1)).toString();
                long start = System.nanoTime();
                conn.eventLoop().schedule(() -> conn.write(("late " + word + " after "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + "\n").getBytes(StandardCharsets.US_ASCII)),
                        Duration.ofMillis(100));
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, "x".getBytes(StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String line = in.readLine();
            assertThat(line).startsWith("late x after ");
            assertThat(Long.parseLong(line.substring("late x after ".length()))).isBetween(100L, 100L + LATE_MILLIS);
        } finally {
            engine.stop();
        }
    }

    @Test
    void aConnectionDialedFromACallbackLivesOnTheSameLoopWithItsContext() throws Exception {
        Engine upstream = TestServers.start(new TestServers.Echo(), Options.builder().numEventLoops(1).build());
        String upstreamAddress = "tcp://127.0.0.1:" + TestServers.port(upstream);
        List<String> problems = new CopyOnWriteArrayList<>();
        CompletableFuture<String> relayed = new CompletableFuture<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                if (conn.context() != null) { // the dialed side: context attached before onOpen
                    Conn client = conn.context();
                    if (client.eventLoop() != conn.eventLoop() || !conn.inEventLoop() || !client.inEventLoop()) {
                        problems.add("dialed connection on " + conn.eventLoop().index() + ", client on " + client.eventLoop().index());
                    }
                    client.context(conn);
                    return Action.NONE;
                }
                conn.context("pending");
                conn.eventLoop().dial(upstreamAddress, conn).whenComplete((up, error) -> {
                    if (error != null) {
                        problems.add("dial failed: " + error);
                    } else if (!up.inEventLoop()) {
                        problems.add("the dial's future did not complete on the loop");
                    } else {
                        up.write("hello upstream".getBytes(StandardCharsets.US_ASCII));
                    }
                });
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn conn) {
                Object ctx = conn.context();
                if (ctx instanceof Conn) { // the upstream's echo: hand it to the client, no hop, no copy
                    Conn client = (Conn) ctx;
                    relayed.complete(StandardCharsets.US_ASCII.decode(conn.peek(-1)).toString());
                    client.write(conn.next(-1));
                }
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(4).build());
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                clients.add(TestServers.connect(engine));
            }
            for (Socket socket : clients) {
                assertThat(new String(TestServers.readExactly(socket.getInputStream(), 14), StandardCharsets.US_ASCII))
                        .isEqualTo("hello upstream");
            }
            assertThat(relayed.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hello upstream");
            assertThat(problems).isEmpty();
            TestServers.await("4 clients and 4 upstream connections", () -> engine.countConnections() == 8);
        } finally {
            for (Socket socket : clients) {
                socket.close();
            }
            engine.stop();
            upstream.stop();
        }
    }

    @Test
    void aClientEnrollsAChannelOntoTheLoopItChooses() throws Exception {
        AtomicReference<Integer> loopOfOpen = new AtomicReference<>();
        Client client = Client.start(new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                loopOfOpen.set(conn.eventLoop().index());
                return Action.NONE;
            }
        }, Options.builder().numEventLoops(3).transport(Transport.NIO).build()); // enrolls a JDK-made channel
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel channel = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            Conn conn = client.eventLoops().get(2).enroll(channel, "ctx").get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(conn.eventLoop().index()).isEqualTo(2);
            assertThat(loopOfOpen.get()).isEqualTo(2);
            assertThat((Object) conn.context()).isEqualTo("ctx");
            conn.asyncWrite("ping".getBytes(StandardCharsets.US_ASCII), null);
            ByteBuffer got = ByteBuffer.allocate(4);
            while (got.hasRemaining() && accepted.read(got) >= 0) {
                // blocking channel: reads until the 4 bytes are in
            }
            assertThat(new String(got.array(), StandardCharsets.US_ASCII)).isEqualTo("ping");
        } finally {
            client.stop();
        }
    }
}
