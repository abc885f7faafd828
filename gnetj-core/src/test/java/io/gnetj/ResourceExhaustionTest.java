package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Running out of direct memory while serving one connection closes that connection (with the
 * error as its cause) and reports every pending callback; it does not end the event loop and
 * every other connection on it.
 */
class ResourceExhaustionTest {

    /** Echo for most connections; connections whose first byte is 'H' keep everything buffered. */
    private static final class Handler implements EventHandler {
        final Map<Integer, Throwable> causes = new ConcurrentHashMap<>();
        final Map<Integer, Conn> conns = new ConcurrentHashMap<>();

        private static int port(Conn conn) {
            return ((InetSocketAddress) conn.remoteAddress()).getPort();
        }

        @Override
        public Action onOpen(Conn conn) {
            conns.put(port(conn), conn);
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            ByteBuffer in = conn.peek(1);
            if (in.hasRemaining() && in.get(in.position()) == 'H') {
                return Action.NONE; // hoard: the leftover needs a new chunk for the inbound ring
            }
            conn.write(conn.next(-1));
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            causes.put(port(conn), cause == null ? new NullPointerException("no cause") : cause);
            return Action.NONE;
        }
    }

    private static void echo(SocketChannel client, ByteBuffer out, ByteBuffer in) throws Exception {
        out.clear();
        out.put((byte) 'e').flip();
        client.write(out);
        in.clear().limit(1);
        while (in.hasRemaining()) {
            assertThat(client.read(in)).as("EOF instead of the echo").isNotNegative();
        }
        assertThat(in.get(0)).isEqualTo((byte) 'e');
    }

    private static void exhaust(List<ByteBuffer> hoard, int piece, int maxPieces) {
        try {
            for (int i = 0; i < maxPieces; i++) {
                hoard.add(ByteBuffer.allocateDirect(piece));
            }
        } catch (OutOfMemoryError expected) {
            return;
        }
        throw new AssertionError("could not exhaust direct memory with " + maxPieces + " pieces of " + piece + " bytes");
    }

    @Test
    void outOfDirectMemoryClosesOnlyTheConnectionThatNeededIt() throws Exception {
        BufferPool pool = BufferPool.create();
        Handler handler = new Handler();
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).bufferPool(pool).build());
        // Clients use direct buffers allocated up front, so they need no direct memory later.
        ByteBuffer out = ByteBuffer.allocateDirect(4096);
        ByteBuffer in = ByteBuffer.allocateDirect(4096);
        List<ByteBuffer> hoard = new ArrayList<>();
        try (SocketChannel bystander = SocketChannel.open(engine.addresses().get(0));
             SocketChannel victim = SocketChannel.open(engine.addresses().get(0))) {
            int victimPort = ((InetSocketAddress) victim.getLocalAddress()).getPort();
            TestServers.await("both opened", () -> handler.conns.size() == 2);
            echo(bystander, out, in); // its loop now caches the small chunk an echo needs
            Conn victimConn = handler.conns.get(victimPort);

            // Take all the direct memory the JVM allows (the tests run with a 1 GiB cap): in
            // 1 MiB pieces, then the rest in 1 KiB pieces, so not even a 2 KiB chunk is left.
            exhaust(hoard, 1 << 20, 4096);
            exhaust(hoard, 1 << 10, 2048);
            try {
                out.clear();
                out.put((byte) 'H').put(new byte[2000]).flip();
                victim.write(out);
                TestServers.await("the victim closed", () -> handler.causes.containsKey(victimPort));
                assertThat(handler.causes.get(victimPort)).isInstanceOf(OutOfMemoryError.class);

                // Its pending operations are still told, once.
                AtomicReference<Throwable> wakeError = new AtomicReference<>();
                CountDownLatch woken = new CountDownLatch(1);
                victimConn.wake((c, e) -> {
                    wakeError.set(e);
                    woken.countDown();
                });
                assertThat(woken.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(wakeError.get()).isInstanceOf(ConnectionClosedException.class);
            } finally {
                hoard.clear();
            }
            // The loop lives on: its other connection still echoes, and new ones are served.
            echo(bystander, out, in);
            try (SocketChannel late = SocketChannel.open(engine.addresses().get(0))) {
                echo(late, out, in);
            }
        } finally {
            hoard.clear();
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }
}
