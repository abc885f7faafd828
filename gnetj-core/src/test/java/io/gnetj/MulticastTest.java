package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class MulticastTest {

    /** The loopback interface, if it can carry multicast; traffic must never leave the machine. */
    private static NetworkInterface multicastLoopback() throws SocketException {
        for (String name : new String[] {"lo", "lo0"}) {
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif != null && nif.isUp() && nif.supportsMulticast()) {
                return nif;
            }
        }
        return null;
    }

    @Test
    void aMulticastGroupIsJoinedOnTheNamedInterface() throws Exception {
        NetworkInterface lo = multicastLoopback();
        Assumptions.assumeTrue(lo != null,
                "the loopback interface has no MULTICAST flag here (e.g. `ip link set lo multicast on` is off); "
                        + "multicast is only tested on loopback so no packet leaves the machine");
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                byte[] bytes = new byte[conn.inboundBuffered()];
                conn.next(-1).get(bytes);
                received.add(new String(bytes, StandardCharsets.US_ASCII));
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(handler, "udp4://239.255.42.99:0",
                Options.builder().multicastInterface(lo.getName()).build());
        try (MulticastSocket sender = new MulticastSocket()) {
            sender.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
            sender.setTimeToLive(0);
            int port = ((InetSocketAddress) engine.addresses().get(0)).getPort();
            byte[] out = "to the group".getBytes(StandardCharsets.US_ASCII);
            InetAddress group = InetAddress.getByName("239.255.42.99");
            String got = null;
            for (int attempt = 0; attempt < 20 && got == null; attempt++) {
                sender.send(new DatagramPacket(out, out.length, group, port));
                got = received.poll(100, TimeUnit.MILLISECONDS);
            }
            assertThat(got).isEqualTo("to the group");
        } finally {
            engine.stop();
        }
    }

    @Test
    void aMulticastGroupWithoutAnInterfaceIsAClearError() {
        assertThatThrownBy(() -> Gnet.start(new EventHandler() { }, "udp4://239.255.42.99:0", Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("udp4://239.255.42.99:0")
                .hasMessageContaining("multicastInterface");
    }
}
