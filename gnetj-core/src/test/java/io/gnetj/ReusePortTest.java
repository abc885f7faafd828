package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** With {@code reusePort} each loop owns a listener and the kernel spreads connections over them. */
@EnabledOnOs(OS.LINUX)
class ReusePortTest {

    @Test
    void reusePortEchoesAndTheKernelSpreadsConnectionsOverBothLoops() throws Exception {
        BufferPool pool = BufferPool.create();
        Map<Integer, String> loopOf = new ConcurrentHashMap<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                loopOf.put(((InetSocketAddress) conn.remoteAddress()).getPort(), Thread.currentThread().getName());
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn conn) {
                conn.write(conn.next(-1));
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(2).reusePort(true)
                .bufferPool(pool).build());
        // The kernel hashes each connection's addresses and ports to a listener: with 64
        // connections the chance that all land on one of two loops is 2^-63.
        int n = 64;
        List<Socket> clients = new ArrayList<>();
        try {
            assertThat(engine.addresses()).as("one address, however many listeners").hasSize(1);
            for (int i = 0; i < n; i++) {
                Socket s = TestServers.connect(engine);
                clients.add(s);
                TestServers.write(s, new byte[] {(byte) i});
                assertThat(TestServers.readExactly(s.getInputStream(), 1)).containsExactly((byte) i);
            }
            TestServers.await(n + " connections opened", () -> loopOf.size() == n);
            Set<String> loops = new TreeSet<>(loopOf.values());
            assertThat(loops).as("loops that accepted connections").hasSize(2)
                    .allMatch(name -> name.startsWith("gnetj-loop-"));
        } finally {
            engine.stop();
            for (Socket s : clients) {
                s.close();
            }
        }
        assertThat(engine.countConnections()).isZero();
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }
}
