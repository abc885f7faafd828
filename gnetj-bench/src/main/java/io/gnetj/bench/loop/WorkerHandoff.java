package io.gnetj.bench.loop;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import io.gnetj.internal.ServerEngine;
import io.gnetj.pool.WorkerPool;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What handing results from a worker pool back to the loops costs the loops: selector wake-ups
 * and write syscalls, per request, under a steady load. Two cases, in-process, loopback only:
 *
 * <ul>
 *   <li>{@code pingpong}: {@code --clients} blocking clients each send an 8-byte request and wait
 *       for the answer; the handler hands every request to a {@link WorkerPool}, whose worker
 *       answers with {@code asyncWrite}. Every answer is a post from another thread to a loop
 *       that is sometimes asleep: the figure is {@code Selector.wakeup()} calls per request
 *       (gnetj's own count) and write syscalls per request ({@code syscw} of /proc/self/io,
 *       which counts the wake-ups' writes too).
 *   <li>{@code burst}: one client; a producer thread posts {@code --batch} 64-byte
 *       {@code asyncWrite}s to one connection at once, waits until the client has them all, and
 *       repeats: write syscalls per {@code asyncWrite} tell whether one task batch costs one write
 *       or one per post.
 * </ul>
 *
 * <pre>
 *   java -cp gnetj-bench.jar io.gnetj.bench.loop.WorkerHandoff pingpong --seconds 10 --clients 32
 *   java -cp gnetj-bench.jar io.gnetj.bench.loop.WorkerHandoff burst --seconds 10 --batch 64
 * </pre>
 *
 * <p>Threading: the main thread drives; clients and workers are their own threads.
 */
public final class WorkerHandoff {

    private WorkerHandoff() {
    }

    /** Entry point; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "pingpong";
        int seconds = intArg(args, "--seconds", 10);
        if (mode.equals("burst")) {
            burst(seconds, intArg(args, "--batch", 64));
        } else {
            pingPong(seconds, intArg(args, "--clients", 32), intArg(args, "--workers", 32));
        }
    }

    private static void pingPong(int seconds, int clients, int workers) throws Exception {
        // Room for every client's one request in flight: a full pool would refuse.
        WorkerPool pool = WorkerPool.builder(Math.max(workers, clients)).name("bench-workers").build();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                while (conn.inboundBuffered() >= 8) {
                    ByteBuffer request = ByteBuffer.allocate(8);
                    conn.read(request);
                    request.flip();
                    pool.execute(() -> conn.asyncWrite(request, null));
                }
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(handler, "tcp://127.0.0.1:0", Options.builder().numEventLoops(2).build());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong requests = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                Socket socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(engine.addresses().get(0), 5_000);
                socket.setSoTimeout(10_000);
                Thread t = new Thread(() -> {
                    try (socket) {
                        OutputStream out = socket.getOutputStream();
                        DataInputStream in = new DataInputStream(socket.getInputStream());
                        byte[] request = new byte[8];
                        while (!stop.get()) {
                            out.write(request);
                            in.readFully(request);
                            requests.incrementAndGet();
                        }
                    } catch (IOException e) {
                        if (!stop.get()) {
                            e.printStackTrace();
                        }
                    }
                }, "bench-client-" + i);
                t.start();
                threads.add(t);
            }
            TimeUnit.SECONDS.sleep(2); // warm-up
            long r0 = requests.get();
            long w0 = ((ServerEngine) engine).selectorWakeups();
            long s0 = writeSyscalls();
            long l0 = loopCpuNanos();
            long p0 = processCpuNanos();
            long t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long r = requests.get() - r0;
            long w = ((ServerEngine) engine).selectorWakeups() - w0;
            long s = writeSyscalls() - s0;
            long loopCpu = loopCpuNanos() - l0;
            long processCpu = processCpuNanos() - p0;
            System.out.printf("pingpong clients=%d: %.0f requests/s, %.0f wakeups/s, %.3f wakeups/request,"
                    + " %.3f write syscalls/request, loop CPU %.2f us/request, process CPU %.2f us/request%n",
                    clients, r / elapsed, w / elapsed, (double) w / r, (double) s / r,
                    loopCpu / 1e3 / r, processCpu / 1e3 / r);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
            engine.stop();
            pool.shutdown();
        }
    }

    private static void burst(int seconds, int batch) throws Exception {
        java.util.concurrent.atomic.AtomicReference<Conn> server = new java.util.concurrent.atomic.AtomicReference<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                server.set(conn);
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(handler, "tcp://127.0.0.1:0", Options.builder().numEventLoops(1).build());
        try (Socket socket = new Socket()) {
            socket.connect(engine.addresses().get(0), 5_000);
            socket.setSoTimeout(10_000);
            while (server.get() == null) {
                Thread.onSpinWait();
            }
            Conn conn = server.get();
            byte[] message = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n".getBytes(StandardCharsets.US_ASCII);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] sink = new byte[message.length * batch];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            long posts = 0;
            long s0 = 0;
            long t0 = 0;
            boolean measuring = false;
            while (true) {
                if (!measuring && System.nanoTime() - deadline >= 0) {
                    measuring = true; // warm-up over
                    posts = 0;
                    s0 = writeSyscalls();
                    t0 = System.nanoTime();
                    deadline = t0 + TimeUnit.SECONDS.toNanos(seconds);
                } else if (measuring && System.nanoTime() - deadline >= 0) {
                    break;
                }
                for (int i = 0; i < batch; i++) {
                    conn.asyncWrite(ByteBuffer.wrap(message), null);
                }
                posts += batch;
                in.readFully(sink);
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long s = writeSyscalls() - s0;
            System.out.printf("burst batch=%d: %.0f asyncWrites/s, %.3f write syscalls per asyncWrite%n",
                    batch, posts / elapsed, (double) s / posts);
        } finally {
            engine.stop();
        }
    }

    /** CPU time of the engine's event loop threads so far. */
    static long loopCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long total = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("gnetj-loop-")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** CPU time of this whole process so far: loops, workers and clients. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Write syscalls made by this process so far ({@code syscw} of /proc/self/io), or -1 off Linux. */
    static long writeSyscalls() throws IOException {
        Path io = Path.of("/proc/self/io");
        if (!Files.exists(io)) {
            return -1;
        }
        for (String line : Files.readAllLines(io)) {
            if (line.startsWith("syscw:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        return -1;
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
