package io.gnetj.bench.e2e;

import io.gnetj.Transport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One server of the end-to-end comparison, alone in its JVM, driven by {@link Runner}:
 *
 * <pre>
 * java -cp gnetj-bench.jar io.gnetj.bench.e2e.ServerMain IMPL WORKLOAD --port N [--loops N]
 *   IMPL      gnetj | netty-nio | netty-epoll
 *   WORKLOAD  echo | http | stripped
 * </pre>
 *
 * gnetj's echo and http are the examples' own handlers, started through the examples launcher
 * ({@link ExampleServer}), so the figures are those of the code users run. Every server binds
 * {@code 127.0.0.1}.
 *
 * <p>Protocol, one line each way: the server prints {@code READY <port>} once it accepts
 * connections, or {@code UNAVAILABLE <reason>} and exits with 3 when this build cannot run it.
 * Then it answers commands read from standard input:
 * <ul>
 *   <li>{@code alloc}: {@code ALLOC <loopBytes> <allBytes>}, the bytes ever allocated by the
 *       event-loop threads ({@code gnetj-loop-*}, {@code netty-loop-*}) and by every live thread,
 *       from {@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long[])};
 *   <li>{@code heap}: {@code HEAP <bytes>}, heap in use after {@link System#gc()};
 *   <li>{@code quit}, or the end of standard input (the runner went away): stops and exits 0.
 * </ul>
 * Commands run on the main thread, never on an event loop, so they add nothing to the loops'
 * allocation counters.
 */
public final class ServerMain {

    /** Thread-name prefix of gnetj's event loops ({@code gnetj-loop-<engine>-<i>}). */
    static final String GNETJ_LOOP_PREFIX = "gnetj-loop-";
    /** Thread-name prefix given to Netty's child event loops. */
    static final String NETTY_LOOP_PREFIX = "netty-loop-";

    /** Exit code when this machine cannot run the asked server (e.g. native epoll off x86-64 Linux). */
    static final int UNAVAILABLE = 3;

    private ServerMain() {
    }

    /** A running server, whatever its implementation. */
    interface Running extends AutoCloseable {
        @Override
        void close();
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ServerMain gnetj|gnetj-epoll|netty-nio|netty-epoll echo|http|stripped --port N [--loops N]");
            System.exit(2);
        }
        String impl = args[0];
        String workload = args[1];
        int port = 0;
        int loops = 1;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--port": port = Integer.parseInt(args[++i]); break;
                case "--loops": loops = Integer.parseInt(args[++i]); break;
                default:
                    System.err.println("unknown flag " + args[i]);
                    System.exit(2);
            }
        }
        if (port <= 0) {
            System.err.println("--port is required");
            System.exit(2);
        }

        Running server;
        String loopPrefix;
        try {
            switch (impl) {
                case "gnetj":
                    server = startGnetj(workload, port, loops, Transport.NIO);
                    loopPrefix = GNETJ_LOOP_PREFIX;
                    break;
                case "gnetj-epoll":
                    if (Runtime.version().feature() < 22) {
                        throw new Unavailable("gnetj's epoll transport needs JDK 22+");
                    }
                    server = startGnetj(workload, port, loops, Transport.EPOLL);
                    loopPrefix = GNETJ_LOOP_PREFIX;
                    break;
                case "netty-nio":
                case "netty-epoll":
                    server = NettyServer.start(impl.equals("netty-epoll"), workload, port, loops, NETTY_LOOP_PREFIX);
                    loopPrefix = NETTY_LOOP_PREFIX;
                    break;
                default:
                    throw new IllegalArgumentException("unknown implementation " + impl);
            }
        } catch (Unavailable e) {
            System.out.println("UNAVAILABLE " + e.getMessage());
            System.out.flush();
            System.exit(UNAVAILABLE);
            return;
        }
        System.out.println("READY " + port);
        System.out.flush();

        serveCommands(loopPrefix);
        server.close();
        System.exit(0);
    }

    private static Running startGnetj(String workload, int port, int loops, Transport transport) throws Exception {
        switch (workload) {
            case "echo":
            case "http":
                return ExampleServer.start(workload, port, loops, transport);
            case "stripped":
                return StrippedServer.start(port, loops, transport);
            default:
                throw new IllegalArgumentException("unknown workload " + workload);
        }
    }

    private static void serveCommands(String loopPrefix) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim().toLowerCase(Locale.ROOT)) {
                case "alloc":
                    System.out.println("ALLOC " + allocatedBytes(loopPrefix) + " " + allocatedBytes(""));
                    break;
                case "heap":
                    System.gc();
                    System.gc();
                    System.out.println("HEAP " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                    break;
                case "quit":
                    return;
                case "":
                    continue;
                default:
                    System.out.println("ERROR unknown command " + line);
            }
            System.out.flush();
        }
    }

    /** Bytes ever allocated by the live threads whose name starts with {@code prefix}. */
    static long allocatedBytes(String prefix) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                long bytes = mx.getThreadAllocatedBytes(t.getId());
                if (bytes > 0) {
                    sum += bytes;
                }
            }
        }
        return sum;
    }

    /** This machine cannot run the asked server; the message says why. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }
}
