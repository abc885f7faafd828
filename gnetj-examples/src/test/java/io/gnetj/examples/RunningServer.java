package io.gnetj.examples;

import io.gnetj.Engine;
import io.gnetj.Gnet;
import io.gnetj.Options;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An example server started in-process, stopped by {@link #close()}: on 127.0.0.1 and a free port
 * for a TCP or UDP example, or where its own flags say (a Unix socket path).
 */
public final class RunningServer implements AutoCloseable {

    private final ServerExample example;
    private final Engine engine;

    private RunningServer(ServerExample example, Engine engine) {
        this.example = example;
        this.engine = engine;
    }

    /**
     * Starts {@code example} with two loops, on a free loopback port if it takes {@code --port},
     * plus {@code flags} (name/value pairs).
     */
    public static RunningServer start(ServerExample example, String... flags) throws IOException {
        return start(example, UnaryOperator.identity(), flags);
    }

    /**
     * As {@link #start(ServerExample, String...)}, with the example's options adjusted by
     * {@code tweak} (for example to give the engine a {@link io.gnetj.buffer.BufferPool} whose
     * counters a test reads, or a lower connection cap).
     */
    public static RunningServer start(ServerExample example, UnaryOperator<Options.Builder> tweak, String... flags)
            throws IOException {
        List<String> pairs = new ArrayList<>();
        if (example.flags().stream().anyMatch(f -> f.name().equals(ServerExample.PORT.name()))) {
            pairs.addAll(List.of("host", "127.0.0.1", "port", "0"));
        }
        pairs.addAll(List.of("loops", "2"));
        pairs.addAll(List.of(flags));
        Flags parsed = Flags.of(example.flags(), pairs.toArray(new String[0]));
        Options options = tweak.apply(example.options(parsed).toBuilder()).build();
        return new RunningServer(example, Gnet.start(example.handler(parsed), example.address(parsed), options));
    }

    /** The engine. */
    public Engine engine() {
        return engine;
    }

    /** The bound address. */
    public SocketAddress socketAddress() {
        return engine.addresses().get(0);
    }

    /** The bound port (TCP and UDP). */
    public int port() {
        return ((InetSocketAddress) socketAddress()).getPort();
    }

    /** The bound address as a gnetj address string, e.g. {@code udp://127.0.0.1:40123}. */
    public String address() {
        return ServerExample.describe(example.scheme(), socketAddress());
    }

    @Override
    public void close() {
        engine.stop();
    }
}
