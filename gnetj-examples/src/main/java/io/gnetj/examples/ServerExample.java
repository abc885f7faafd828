package io.gnetj.examples;

import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A server example: binds {@code tcp://HOST:PORT} (or what {@link #address(Flags)} says) with
 * {@code --loops} event loops, prints one line once listening, and stops the engine cleanly on
 * Ctrl-C (a shutdown hook calls {@link Engine#stop()}). Subclasses supply the handler, their own
 * flags and option tweaks; a UDP or Unix server overrides {@link #scheme()} (and, for Unix,
 * {@link #addressFlags()} and {@link #address(Flags)}).
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
        List<Flag> all = new ArrayList<>(addressFlags());
        all.add(LOOPS);
        all.addAll(ownFlags());
        return List.copyOf(all);
    }

    /** The flags that say where to listen: {@code --host} and {@code --port} unless overridden. */
    protected List<Flag> addressFlags() {
        return List.of(HOST, PORT);
    }

    /** Flags of this example beyond the address and loops. */
    protected List<Flag> ownFlags() {
        return List.of();
    }

    /** The address scheme served: {@code tcp} unless overridden ({@code udp}, {@code unix}). */
    protected String scheme() {
        return "tcp";
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
    public String address(Flags flags) {
        String host = flags.getString(HOST.name());
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return scheme() + "://" + host + ":" + flags.getInt(PORT.name());
    }

    /** Starts serving and returns the running engine. */
    public final Engine start(Flags flags) throws IOException {
        return Gnet.start(handler(flags), address(flags), options(flags));
    }

    /** Serves until the engine stops (Ctrl-C, SIGTERM or a handler's {@code SHUTDOWN}). */
    @Override
    public int run(Flags flags, PrintStream out) throws Exception {
        Engine engine = start(flags);
        Thread hook = new Thread(engine::stop, name() + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int loops = engine.options().effectiveEventLoops();
        out.println(name() + " listening on " + describe(scheme(), engine.addresses().get(0)) + " with " + loops
                + (loops == 1 ? " event loop" : " event loops"));
        out.flush();
        engine.awaitTermination();
        return 0;
    }

    /** {@code scheme://host:port} (or {@code unix:///path}) of a bound address. */
    public static String describe(String scheme, SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) address;
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            if (host.indexOf(':') >= 0) {
                host = "[" + host + "]";
            }
            return scheme + "://" + host + ":" + a.getPort();
        }
        if (address instanceof UnixDomainSocketAddress) {
            return "unix://" + ((UnixDomainSocketAddress) address).getPath();
        }
        return String.valueOf(address);
    }
}
