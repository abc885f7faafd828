package io.gnetj.bench.e2e;

import io.gnetj.bench.host.ProcStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The echo load generator, run as its own JVM by {@link Runner} (pinned to another core than the
 * server). One thread and one {@link Selector} drive every connection.
 *
 * <pre>
 * EchoLoad pingpong --port P [--conns 64] [--size 512] --warmup S --duration S
 * EchoLoad stream   --port P [--conns 16] [--size 4096] [--inflight 8] --warmup S --duration S
 * EchoLoad idle     --port P --conns N
 * </pre>
 *
 * <ul>
 *   <li>{@code pingpong}: each connection sends one message and waits for all of it to come back
 *       before sending the next; every round trip's latency goes into a {@link LatencyHistogram}.
 *   <li>{@code stream}: each connection keeps up to {@code inflight} messages sent and not yet
 *       echoed; throughput is the echoed bytes.
 *   <li>{@code idle}: opens {@code conns} connections, prints {@code OPENED n}, sends nothing,
 *       and closes them all (with a reset, so no {@code TIME_WAIT} piles up) when a line or the end
 *       of standard input arrives.
 * </ul>
 *
 * Timed modes print {@code MEASURE_START} when the warm-up ends and {@code MEASURE_END} when the
 * measured window does (the runner samples the server's counters at those lines), then one line
 * {@code RESULT key=value ...} for the window: {@code requests} (round trips or messages),
 * {@code seconds}, {@code bytes}, {@code cpu_ticks} (this process's CPU time in the window), and
 * for ping-pong {@code p50_ns p99_ns p999_ns max_ns}.
 */
public final class EchoLoad {

    private EchoLoad() {
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: EchoLoad pingpong|stream|idle --port P [...]");
            System.exit(2);
        }
        String mode = args[0];
        int port = 0;
        int conns = -1;
        int size = -1;
        int inflight = 8;
        double warmup = 1;
        double duration = 1;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--port": port = Integer.parseInt(args[++i]); break;
                case "--conns": conns = Integer.parseInt(args[++i]); break;
                case "--size": size = Integer.parseInt(args[++i]); break;
                case "--inflight": inflight = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Double.parseDouble(args[++i]); break;
                case "--duration": duration = Double.parseDouble(args[++i]); break;
                default:
                    System.err.println("unknown flag " + args[i]);
                    System.exit(2);
            }
        }
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        switch (mode) {
            case "pingpong":
                pingPong(server, conns > 0 ? conns : 64, size > 0 ? size : 512, warmup, duration);
                break;
            case "stream":
                stream(server, conns > 0 ? conns : 16, size > 0 ? size : 4096, inflight, warmup, duration);
                break;
            case "idle":
                idle(server, conns > 0 ? conns : 10_000);
                break;
            default:
                System.err.println("unknown mode " + mode);
                System.exit(2);
        }
        System.exit(0);
    }

    /** One connection's state. */
    private static final class Link {
        final SocketChannel channel;
        final ByteBuffer out;
        SelectionKey key;
        long sentAt;
        int awaiting; // ping-pong: bytes of the current message not yet echoed
        long sent;
        long received;

        Link(SocketChannel channel, ByteBuffer message) {
            this.channel = channel;
            this.out = message.duplicate();
        }
    }

    private static ByteBuffer message(int size) {
        ByteBuffer m = ByteBuffer.allocateDirect(size);
        byte[] pattern = "gnetj-bench echo 0123456789abcdefghijklmnopqrstuvwxyz\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i++) {
            m.put(pattern[i % pattern.length]);
        }
        return m.flip();
    }

    private static List<Link> connect(InetSocketAddress server, int n, ByteBuffer message, Selector selector)
            throws IOException {
        List<Link> links = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(server);
            ch.configureBlocking(false);
            Link link = new Link(ch, message);
            link.key = ch.register(selector, SelectionKey.OP_READ, link);
            links.add(link);
        }
        return links;
    }

    /** Writes all of {@code out}, spinning on a full socket (a few hundred bytes into an idle one never spins). */
    private static void writeFully(SocketChannel ch, ByteBuffer out) throws IOException {
        while (out.hasRemaining()) {
            ch.write(out);
        }
    }

    private static void pingPong(InetSocketAddress server, int conns, int size, double warmup, double duration)
            throws IOException {
        ByteBuffer message = message(size);
        ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
        LatencyHistogram histogram = new LatencyHistogram();
        try (Selector selector = Selector.open()) {
            List<Link> links = connect(server, conns, message, selector);
            for (Link l : links) {
                l.out.clear();
                l.awaiting = size;
                l.sentAt = System.nanoTime();
                writeFully(l.channel, l.out);
            }
            Window measure = new Window(warmup, duration);
            long[] done = new long[1];
            drive(selector, measure, "pingpong", key -> {
                Link l = (Link) key.attachment();
                scratch.clear();
                int n = l.channel.read(scratch);
                if (n < 0) {
                    throw new IOException("server closed the connection");
                }
                l.awaiting -= n;
                if (l.awaiting == 0) {
                    long t = System.nanoTime();
                    if (measure.open) {
                        histogram.record(t - l.sentAt);
                        done[0]++;
                    }
                    l.out.clear();
                    l.awaiting = size;
                    l.sentAt = t;
                    writeFully(l.channel, l.out);
                } else if (l.awaiting < 0) {
                    throw new IOException("server sent more than it was sent");
                }
            });
            long cpuTicks = measure.cpuTicks();
            closeAll(links);
            System.out.println(String.format(Locale.ROOT,
                    "RESULT requests=%d seconds=%.3f bytes=%d cpu_ticks=%d p50_ns=%d p99_ns=%d p999_ns=%d max_ns=%d",
                    done[0], duration, done[0] * size, cpuTicks, histogram.quantile(0.5), histogram.quantile(0.99),
                    histogram.quantile(0.999), histogram.max()));
        }
    }

    private static void stream(InetSocketAddress server, int conns, int size, int inflight, double warmup,
                               double duration) throws IOException {
        ByteBuffer message = message(size);
        ByteBuffer scratch = ByteBuffer.allocateDirect(256 * 1024);
        long window = (long) inflight * size;
        try (Selector selector = Selector.open()) {
            List<Link> links = connect(server, conns, message, selector);
            for (Link l : links) {
                pump(l, window);
            }
            Window measure = new Window(warmup, duration);
            long[] bytes = new long[1];
            drive(selector, measure, "stream", key -> {
                Link l = (Link) key.attachment();
                if (key.isReadable()) {
                    scratch.clear();
                    int n = l.channel.read(scratch);
                    if (n < 0) {
                        throw new IOException("server closed the connection");
                    }
                    l.received += n;
                    if (measure.open) {
                        bytes[0] += n;
                    }
                }
                pump(l, window);
            });
            long cpuTicks = measure.cpuTicks();
            closeAll(links);
            System.out.println(String.format(Locale.ROOT, "RESULT requests=%d seconds=%.3f bytes=%d cpu_ticks=%d",
                    bytes[0] / size, duration, bytes[0], cpuTicks));
        }
    }

    /** What one load mode does with a ready connection; an exception means the connection broke. */
    private interface KeyHandler {
        void handle(SelectionKey key) throws IOException;
    }

    /**
     * Runs {@code onKey} for every ready key until the measured window ends. A connection that
     * breaks is reported and ends the run with exit code 1, since its figures would be wrong.
     */
    private static void drive(Selector selector, Window measure, String mode, KeyHandler onKey) throws IOException {
        long[] failures = new long[1];
        while (measure.advance(System.nanoTime())) {
            selector.select(key -> {
                try {
                    onKey.handle(key);
                } catch (IOException e) {
                    failures[0]++;
                    System.err.println(mode + ": " + e);
                    key.cancel();
                }
            }, 50);
            if (failures[0] > 0) {
                System.out.println("FAILED " + failures[0] + " connection(s) broke");
                System.exit(1);
            }
        }
    }

    /** Sends message bytes while fewer than {@code window} are unechoed; waits for OP_WRITE when the socket is full. */
    private static void pump(Link l, long window) throws IOException {
        while (l.sent - l.received < window) {
            if (!l.out.hasRemaining()) {
                l.out.clear();
            }
            int n = l.channel.write(l.out);
            l.sent += n;
            if (n == 0) {
                l.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
        }
        if (l.key.interestOps() != SelectionKey.OP_READ) {
            l.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private static void idle(InetSocketAddress server, int conns) throws IOException {
        List<SocketChannel> open = new ArrayList<>(conns);
        try {
            for (int i = 0; i < conns; i++) {
                SocketChannel ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                ch.connect(server);
                open.add(ch);
            }
        } catch (IOException e) {
            System.out.println("FAILED after " + open.size() + " connections: " + e);
            System.out.flush();
            closeChannels(open);
            System.exit(1);
        }
        mark("OPENED " + open.size());
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
        closeChannels(open);
    }

    private static void closeAll(List<Link> links) {
        for (Link l : links) {
            try {
                l.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                l.channel.close();
            } catch (IOException ignored) {
                // going away anyway
            }
        }
    }

    private static void closeChannels(List<SocketChannel> channels) {
        for (SocketChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // going away anyway
            }
        }
    }

    /** This process's CPU time so far, in clock ticks (the runner cannot read it once we exit). */
    /**
     * The measured window of a run: it opens after the warm-up, recording the load's own CPU then,
     * and closes {@code duration} seconds later; each edge is marked on stdout for the runner.
     * {@link #open} is read by the selector callbacks to count only what happens inside it.
     */
    private static final class Window {
        private final long opensAt;
        private final long closesAt;
        private boolean opened;
        private long cpuAtOpen;
        boolean open;

        Window(double warmup, double duration) {
            this.opensAt = System.nanoTime() + (long) (warmup * 1e9);
            this.closesAt = opensAt + (long) (duration * 1e9);
        }

        /** Moves to {@code now}; {@code false} once the window has closed. */
        boolean advance(long now) {
            if (!opened && now >= opensAt) {
                opened = true;
                open = true;
                cpuAtOpen = ownCpuTicks();
                mark("MEASURE_START");
            }
            if (now >= closesAt) {
                open = false;
                mark("MEASURE_END");
                return false;
            }
            return true;
        }

        /** CPU ticks the load used since the window opened. */
        long cpuTicks() {
            return ownCpuTicks() - cpuAtOpen;
        }
    }

    private static long ownCpuTicks() {
        return ProcStats.cpuTicks(ProcessHandle.current().pid());
    }

    private static void mark(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
