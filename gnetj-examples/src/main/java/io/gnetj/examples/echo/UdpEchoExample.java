package io.gnetj.examples.echo;

import io.gnetj.EventHandler;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;

/**
 * {@code udp-echo}: sends every datagram back to its sender, with the same {@link EchoHandler} as
 * the TCP echo. For a UDP server {@code onTraffic} sees one datagram, on a connection whose
 * remote address is the sender, and {@code write} sends one datagram back to it.
 *
 * <p>One UDP socket is served by one loop, so with more than one loop every loop binds its own
 * {@code SO_REUSEPORT} socket on the port and the kernel spreads senders over them.
 */
public final class UdpEchoExample extends ServerExample {

    @Override
    public String name() {
        return "udp-echo";
    }

    @Override
    public String description() {
        return "UDP echo server: every datagram is sent back to its sender";
    }

    @Override
    protected String scheme() {
        return "udp";
    }

    @Override
    protected EventHandler handler(Flags flags) {
        return new EchoHandler();
    }
}
