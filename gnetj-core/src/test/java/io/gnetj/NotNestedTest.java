package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Closing a connection from another connection's callback on the same loop never runs its
 * {@code onClose} or close callback nested in the caller (a broadcaster kicking members while it
 * iterates a plain set that {@code onClose} edits would otherwise get a
 * {@link java.util.ConcurrentModificationException}); and a UDP {@code asyncWrite} on the loop
 * thread goes out in program order with {@code write}.
 */
class NotNestedTest {

    /** Members in a plain HashSet, edited only on the loop: what a one-loop chat server keeps. */
    private static final class Room implements EventHandler {
        final Set<Conn> members = new HashSet<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        boolean inTraffic;

        @Override
        public Action onOpen(Conn conn) {
            members.add(conn);
            events.add("open");
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            String line = StandardCharsets.US_ASCII.decode(conn.next(-1)).toString();
            if (line.startsWith("kick")) {
                inTraffic = true;
                try {
                    for (Conn member : members) {
                        if (member != conn) {
                            member.close((c, error) -> events.add("close callback, nested=" + inTraffic
                                    + ", error=" + error));
                            events.add("kicked, isOpen=" + member.isOpen());
                        }
                    }
                    conn.write("kicked\n".getBytes(StandardCharsets.US_ASCII));
                } finally {
                    inTraffic = false;
                }
            }
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            members.remove(conn);
            events.add("onClose, nested=" + inTraffic + ", cause=" + cause);
            return Action.NONE;
        }
    }

    @Test
    void closingAnotherConnectionFromACallbackNeverRunsItsOnCloseNested() throws Exception {
        Room room = new Room();
        Engine engine = TestServers.start(room, Options.builder().numEventLoops(1).build());
        try (Socket kicker = TestServers.connect(engine); Socket a = TestServers.connect(engine);
             Socket b = TestServers.connect(engine)) {
            TestServers.await("three members", () -> room.events.stream().filter("open"::equals).count() == 3);
            TestServers.write(kicker, "kick\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(TestServers.readExactly(kicker.getInputStream(), 7), StandardCharsets.US_ASCII))
                    .as("the kicker's callback finished: no ConcurrentModificationException").isEqualTo("kicked\n");
            assertThat(a.getInputStream().read()).as("a was closed").isEqualTo(-1);
            assertThat(b.getInputStream().read()).as("b was closed").isEqualTo(-1);
            TestServers.await("two onClose and two close callbacks", () -> room.events.size() == 3 + 2 + 4);
            assertThat(room.events.subList(3, 5)).containsExactly("kicked, isOpen=false", "kicked, isOpen=false");
            assertThat(room.events.subList(5, 9)).containsOnly("onClose, nested=false, cause=null",
                    "close callback, nested=false, error=null");
            assertThat(engine.countConnections()).isEqualTo(1);
        } finally {
            engine.stop();
        }
    }

    @Test
    void onTheLoopAUdpAsyncWriteGoesOutInProgramOrderWithWrite() throws Exception {
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.discard(-1);
                List<String> callbacks = new ArrayList<>();
                for (int i = 1; i <= 6; i++) {
                    byte[] datagram = {(byte) ('0' + i)};
                    if (i % 2 == 0) {
                        conn.asyncWrite(ByteBuffer.wrap(datagram), (c, error) -> callbacks.add("ok"));
                    } else {
                        conn.write(datagram);
                    }
                }
                assertThat(callbacks).as("callbacks are posted, never run in the caller").isEmpty();
                assertThat(conn.outboundBuffered()).isZero();
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(handler, "udp://127.0.0.1:0", Options.builder().numEventLoops(1).build());
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout((int) TestServers.WAIT.toMillis());
            InetSocketAddress server = (InetSocketAddress) engine.addresses().get(0);
            client.send(new DatagramPacket(new byte[] {'?'}, 1, server));
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[16];
            for (int i = 0; i < 6; i++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                client.receive(p);
                got.append((char) buf[0]);
            }
            assertThat(got.toString()).as("datagrams in the order of the calls").isEqualTo("123456");
        } finally {
            engine.stop();
        }
    }
}
