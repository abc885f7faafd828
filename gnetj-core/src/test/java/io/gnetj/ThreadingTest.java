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
                    () -> conn.flush(),
                    () -> conn.outboundBuffered(),
                    () -> conn.setTcpNoDelay(true));
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
}
