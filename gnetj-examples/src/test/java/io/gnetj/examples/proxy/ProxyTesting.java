package io.gnetj.examples.proxy;

import io.gnetj.Engine;
import io.gnetj.Gnet;
import io.gnetj.Options;
import io.gnetj.examples.Flags;
import io.gnetj.examples.RunningServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.UnaryOperator;

/**
 * Starting the proxy example in a test, and the checks every proxy test ends with.
 *
 * <p>Threading: stateless; any thread.
 */
final class ProxyTesting {

    private ProxyTesting() {
    }

    /** The proxy on a free loopback port, with two loops, relaying to {@code upstream}. */
    static RunningServer start(String upstream, String... flags) throws IOException {
        return start(upstream, UnaryOperator.identity(), flags);
    }

    /** As {@link #start(String, String...)}, with the engine options adjusted by {@code tweak}. */
    static RunningServer start(String upstream, UnaryOperator<Options.Builder> tweak, String... flags)
            throws IOException {
        String[] all = new String[flags.length + 2];
        all[0] = ProxyExample.UPSTREAM.name();
        all[1] = upstream;
        System.arraycopy(flags, 0, all, 2, flags.length);
        return RunningServer.start(new ProxyExample(), tweak, all);
    }

    /**
     * The proxy with its handler wrapped in a {@link QueueWatch}, with the example's options
     * adjusted by {@code tweak}, on a free loopback port with two loops, relaying to {@code upstream}.
     */
    static Watched startWatched(String upstream, UnaryOperator<Options.Builder> tweak) throws IOException {
        ProxyExample example = new ProxyExample();
        Flags parsed = Flags.of(example.flags(), "host", "127.0.0.1", "port", "0", "loops", "2",
                ProxyExample.UPSTREAM.name(), upstream);
        QueueWatch watch = new QueueWatch(new ProxyHandler(ProxyExample.resolveUpstream(upstream)));
        Engine engine = Gnet.start(watch, example.address(parsed), tweak.apply(example.options(parsed).toBuilder()).build());
        return new Watched(engine, watch);
    }

    /** A proxy started by {@link #startWatched}; stopped at the end of a try-with-resources. */
    record Watched(Engine engine, QueueWatch watch) implements AutoCloseable {
        int port() {
            return ((InetSocketAddress) engine.addresses().get(0)).getPort();
        }

        @Override
        public void close() {
            engine.stop();
        }
    }

    /** A blocking loopback client of the proxy, reads bounded by {@link Waits#BOUND}. */
    static Socket connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** As {@link #connect(int)}, with {@code SO_RCVBUF} set first when {@code receiveBuffer} is positive. */
    static Socket connect(int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        try {
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.setSoTimeout((int) Waits.BOUND.toMillis());
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Waits until the proxy holds no connection: each pair ended on both sides. */
    static void awaitNoConnections(RunningServer proxy) {
        awaitNoConnections(proxy.engine());
    }

    /** As {@link #awaitNoConnections(RunningServer)}. */
    static void awaitNoConnections(Engine proxy) {
        Waits.until("the proxy to close every connection (" + proxy.countConnections() + " open)",
                () -> proxy.countConnections() == 0);
    }
}
