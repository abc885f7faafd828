package io.gnetj.examples;

import io.gnetj.Engine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** An example server started in-process on 127.0.0.1 and a free port, stopped by {@link #close()}. */
public final class RunningServer implements AutoCloseable {

    private final Engine engine;

    private RunningServer(Engine engine) {
        this.engine = engine;
    }

    /**
     * Starts {@code example} with two loops on a free loopback port, plus {@code flags}
     * (name/value pairs).
     */
    public static RunningServer start(ServerExample example, String... flags) throws IOException {
        List<String> pairs = new ArrayList<>(List.of("host", "127.0.0.1", "port", "0", "loops", "2"));
        pairs.addAll(List.of(flags));
        return new RunningServer(example.start(Flags.of(example.flags(), pairs.toArray(new String[0]))));
    }

    /** The engine. */
    public Engine engine() {
        return engine;
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) engine.addresses().get(0)).getPort();
    }

    @Override
    public void close() {
        engine.stop();
    }
}
