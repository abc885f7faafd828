package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Each load balancer places accepted connections on loops as documented. */
class LoadBalancingTest {

    /**
     * Remembers, per client address, the loop thread that ran onOpen; records closes. Keyed by the
     * whole address, not the port: an IPv4 and an IPv6 client may get the same port number.
     */
    private static final class WhereOpened implements EventHandler {
        final Map<SocketAddress, String> loopOf = new ConcurrentHashMap<>();
        final Set<SocketAddress> closed = ConcurrentHashMap.newKeySet();

        @Override
        public Action onOpen(Conn conn) {
            loopOf.put(conn.remoteAddress(), Thread.currentThread().getName());
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            closed.add(conn.remoteAddress());
            return Action.NONE;
        }

        String loopOf(Socket client) {
            return loopOf.get(client.getLocalSocketAddress());
        }
    }

    private static Map<String, Integer> countPerLoop(Collection<String> loops) {
        Map<String, Integer> counts = new HashMap<>();
        for (String loop : loops) {
            counts.merge(loop, 1, Integer::sum);
        }
        return counts;
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    @Test
    void roundRobinSpreadsFortyConnectionsOverFourLoopsExactlyEvenly() throws Exception {
        WhereOpened handler = new WhereOpened();
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(4)
                .loadBalancing(LoadBalancing.ROUND_ROBIN).build());
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                clients.add(TestServers.connect(engine));
            }
            TestServers.await("40 connections opened", () -> handler.loopOf.size() == 40);
            Map<String, Integer> counts = countPerLoop(handler.loopOf.values());
            assertThat(counts).as("connections per loop").hasSize(4);
            assertThat(counts.values()).containsOnly(10);
            assertThat(counts.keySet()).allMatch(name -> name.startsWith("gnetj-loop-"));
        } finally {
            engine.stop();
            closeAll(clients);
        }
    }

    private static boolean ipv6LoopbackAvailable() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void sourceAddressHashPutsEveryConnectionFromOneHostOnOneLoop() throws Exception {
        WhereOpened handler = new WhereOpened();
        boolean ipv6 = ipv6LoopbackAvailable(); // without it, only the 127.0.0.1 part runs
        List<String> addresses = ipv6
                ? List.of("tcp4://127.0.0.1:0", "tcp6://[::1]:0")
                : List.of("tcp4://127.0.0.1:0");
        Engine engine = Gnet.start(handler, addresses, Options.builder().numEventLoops(4)
                .loadBalancing(LoadBalancing.SOURCE_ADDRESS_HASH).build());
        List<Socket> v4 = new ArrayList<>();
        List<Socket> v6 = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                v4.add(TestServers.connect(engine.addresses().get(0)));
                if (ipv6) {
                    v6.add(TestServers.connect(engine.addresses().get(1)));
                }
            }
            int expected = v4.size() + v6.size();
            TestServers.await(expected + " connections opened", () -> handler.loopOf.size() == expected);
            Set<String> v4Loops = new TreeSet<>();
            for (Socket s : v4) {
                v4Loops.add(handler.loopOf(s));
            }
            assertThat(v4Loops).as("loops serving 127.0.0.1").hasSize(1);
            if (ipv6) {
                Set<String> v6Loops = new TreeSet<>();
                for (Socket s : v6) {
                    v6Loops.add(handler.loopOf(s));
                }
                assertThat(v6Loops).as("loops serving ::1").hasSize(1);
            }
        } finally {
            engine.stop();
            closeAll(v4);
            closeAll(v6);
        }
    }

    @Test
    void leastConnectionsFillsTheLoopsThatWereEmptied() throws Exception {
        WhereOpened handler = new WhereOpened();
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(4)
                .loadBalancing(LoadBalancing.LEAST_CONNECTIONS).build());
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                clients.add(TestServers.connect(engine));
            }
            TestServers.await("4 connections opened", () -> handler.loopOf.size() == 4);
            Map<String, Integer> counts = countPerLoop(handler.loopOf.values());
            assertThat(counts).as("one connection per loop").hasSize(4);

            // Empty two loops.
            Set<String> emptied = new TreeSet<>();
            for (int i : new int[] {1, 3}) {
                Socket s = clients.get(i);
                emptied.add(handler.loopOf(s));
                SocketAddress client = s.getLocalSocketAddress();
                s.close();
                TestServers.await("server closed the connection from " + client, () -> handler.closed.contains(client));
            }
            Set<String> landed = new TreeSet<>();
            for (int i = 0; i < 2; i++) {
                Socket s = TestServers.connect(engine);
                clients.add(s);
                TestServers.await("new connection opened", () -> handler.loopOf(s) != null);
                landed.add(handler.loopOf(s));
            }
            assertThat(landed).as("loops the two new connections landed on").isEqualTo(emptied);
        } finally {
            engine.stop();
            closeAll(clients);
        }
    }
}
