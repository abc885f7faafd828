package io.gnetj.examples;

import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP server example: binds {@code tcp://HOST:PORT} with {@code --loops} event loops, prints one
 * line once listening, and stops the engine cleanly on Ctrl-C (a shutdown hook calls
 * {@link Engine#stop()}). Subclasses supply the handler, their own flags and option tweaks.
 *
 * <p>{@link #start(Flags)} returns the running engine without blocking, for tests and embedding.
 */
public abstract class ServerExample implements Example {

    /** Interface to bind; loopback unless asked, so an example never listens on the network by surprise. */
    public static final Flag HOST = Flag.string("host", "H", "address to bind", "127.0.0.1");
    /** Port to bind; 0 lets the system choose. */
    public static final Flag PORT = Flag.integer("port", "port to bind, 0 for any free port", 9000, 0, 65535);
    /** Event loops; 0 means one per core. */
    public static final Flag LOOPS = Flag.integer("loops", "event loops", 0, 0, 1024)
            .withDefaultLabel("one per core");

    @Override
    public final List<Flag> flags() {
        List<Flag> all = new ArrayList<>(List.of(HOST, PORT, LOOPS));
        all.addAll(ownFlags());
        return List.copyOf(all);
    }

    /** Flags of this example beyond host, port and loops. */
    protected List<Flag> ownFlags() {
        return List.of();
    }

    /** The handler serving this run. */
    protected abstract EventHandler handler(Flags flags);

    /** Adjusts the engine options (loops are already set). */
    protected Options.Builder options(Flags flags, Options.Builder builder) {
        return builder;
    }

    /** The options this run starts with. */
    public final Options options(Flags flags) {
        int loops = flags.getInt(LOOPS.name());
        Options.Builder b = Options.builder();
        if (loops == 0) {
            b.multicore(true);
        } else {
            b.numEventLoops(loops);
        }
        return options(flags, b).build();
    }

    /** The address this run binds, e.g. {@code tcp://127.0.0.1:9000}. */
    public static String address(Flags flags) {
        String host = flags.getString(HOST.name());
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "tcp://" + host + ":" + flags.getInt(PORT.name());
    }

    /** Starts serving and returns the running engine. */
    public final Engine start(Flags flags) throws IOException {
        return Gnet.start(handler(flags), address(flags), options(flags));
    }

    @Override
    public final int run(Flags flags, PrintStream out) throws IOException, InterruptedException {
        Engine engine = start(flags);
        Thread hook = new Thread(engine::stop, name() + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int loops = engine.options().effectiveEventLoops();
        out.println(name() + " listening on " + describe(engine.addresses().get(0)) + " with " + loops
                + (loops == 1 ? " event loop" : " event loops"));
        out.flush();
        engine.awaitTermination();
        return 0;
    }

    /** {@code tcp://host:port} of a bound address. */
    public static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) address;
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            if (host.indexOf(':') >= 0) {
                host = "[" + host + "]";
            }
            return "tcp://" + host + ":" + a.getPort();
        }
        return String.valueOf(address);
    }
}
