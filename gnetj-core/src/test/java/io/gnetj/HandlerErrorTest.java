package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An exception from a handler closes only its connection, with the exception as the cause. */
class HandlerErrorTest {

    /** Echo, except that "boom" throws from onTraffic and a flagged connection throws from onOpen. */
    private static final class Fragile implements EventHandler {
        final Map<Integer, Throwable> thrown = new ConcurrentHashMap<>();
        final Map<Integer, Throwable> causes = new ConcurrentHashMap<>();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicBoolean throwOnNextOpen = new AtomicBoolean();

        private static int port(Conn conn) {
            return ((InetSocketAddress) conn.remoteAddress()).getPort();
        }

        @Override
        public Action onOpen(Conn conn) {
            if (throwOnNextOpen.getAndSet(false)) {
                RuntimeException e = new IllegalStateException("onOpen failed on purpose");
                thrown.put(port(conn), e);
                throw e;
            }
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            ByteBuffer in = conn.next(-1);
            if (StandardCharsets.US_ASCII.decode(in.duplicate()).toString().contains("boom")) {
                conn.write("partial reply\n".getBytes(StandardCharsets.US_ASCII));
                RuntimeException e = new IllegalArgumentException("boom on purpose");
                thrown.put(port(conn), e);
                throw e;
            }
            conn.write(in);
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            if (cause != null) {
                causes.put(port(conn), cause);
            }
            closes.incrementAndGet();
            if (port(conn) % 2 == 0) {
                throw new IllegalStateException("onClose failing on purpose must not hurt the loop");
            }
            return Action.NONE;
        }
    }

    private static void assertEchoes(Socket socket, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        TestServers.write(socket, bytes);
        assertThat(TestServers.readExactly(socket.getInputStream(), bytes.length)).isEqualTo(bytes);
    }

    @Test
    void handlerExceptionClosesOnlyItsConnectionWithTheExceptionAsCause() throws Exception {
        BufferPool pool = BufferPool.create();
        Fragile handler = new Fragile();
        // One loop: every connection shares the loop whose handler throws.
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).bufferPool(pool).build());
        try (Socket good = TestServers.connect(engine);
             Socket bad = TestServers.connect(engine)) {
            assertEchoes(good, "hello");
            assertEchoes(bad, "hello");

            TestServers.write(bad, "boom".getBytes(StandardCharsets.US_ASCII));
            // Writes made before the throw still go out, then the connection closes.
            assertThat(new String(TestServers.readToEof(bad.getInputStream(), 1024), StandardCharsets.US_ASCII))
                    .isEqualTo("partial reply\n");
            int badPort = bad.getLocalPort();
            TestServers.await("onClose of the failed connection", () -> handler.causes.containsKey(badPort));
            assertThat(handler.causes.get(badPort)).as("onClose cause").isSameAs(handler.thrown.get(badPort));

            assertEchoes(good, "still here");
            try (Socket late = TestServers.connect(engine)) {
                assertEchoes(late, "a new connection works too");
            }

            handler.throwOnNextOpen.set(true);
            try (Socket rejected = TestServers.connect(engine)) {
                int rejectedPort = rejected.getLocalPort();
                assertThat(rejected.getInputStream().read()).as("EOF after onOpen threw").isEqualTo(-1);
                TestServers.await("onClose after onOpen threw", () -> handler.causes.containsKey(rejectedPort));
                assertThat(handler.causes.get(rejectedPort)).isSameAs(handler.thrown.get(rejectedPort));
            }
            assertEchoes(good, "and still here");
            assertThat(handler.causes).as("connections closed with a cause").hasSize(2);
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }
}
