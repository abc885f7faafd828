package io.gnetj.bench.mem;

import io.gnetj.bench.host.Child;
import io.gnetj.bench.host.ProcStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An example server in a child JVM, started from the examples jar exactly as a user starts it
 * ({@code java FLAGS -jar gnetj-examples.jar EXAMPLE --host 127.0.0.1 --port 0 ...}), and what
 * the probe asks of it: its port, resident memory, descriptors, unread socket bytes, and, through
 * the server JDK's {@code jcmd}, a full GC and the native-memory summary.
 *
 * <p>A shutdown hook kills the child if the probe ends without {@link #close()} (an exception, a
 * Ctrl-C), so no server outlives the probe.
 *
 * <p>Threading: one probe thread uses it; the shutdown hook only kills the process.
 */
final class ExampleProcess implements AutoCloseable {

    /** The examples launcher's line once a server listens: {@code http listening on tcp://127.0.0.1:PORT ...}. */
    private static final Pattern LISTENING = Pattern.compile(" listening on \\w+://[^ ]*:(\\d+) ");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final long START_TIMEOUT_MS = 60_000;
    private static final long JCMD_TIMEOUT_MS = 60_000;

    private final Child child;
    private final int port;
    private final Path jcmd;
    private final Path logDir;
    private final Thread killer;

    private ExampleProcess(Child child, Thread killer, int port, Path jcmd, Path logDir) {
        this.child = child;
        this.killer = killer;
        this.port = port;
        this.jcmd = jcmd;
        this.logDir = logDir;
    }

    /**
     * Starts {@code example} with {@code args} on a free loopback port and waits until it listens.
     *
     * @param java the server's {@code java} binary; its JDK's {@code jcmd} is used too
     * @throws IOException naming the log's last lines if it exits or is silent for a minute
     */
    static ExampleProcess start(Path java, List<String> jvmFlags, Path examplesJar, String example, List<String> args,
                                String tag, Path logDir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-jar", examplesJar.toString(), example, "--host", "127.0.0.1", "--port", "0"));
        cmd.addAll(args);
        Child child = Child.start(tag, cmd, logDir.resolve(tag + ".log"));
        long pid = child.pid();
        // A hook may not use the Child (its thread may be mid-call): the process handle suffices.
        Thread killer = new Thread(() -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly), "kill-" + tag);
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            String line = child.await(START_TIMEOUT_MS, example + " listening on ");
            Matcher m = LISTENING.matcher(line);
            if (!m.find()) {
                throw new IOException(tag + ": cannot find the port in '" + line + "'");
            }
            Path jcmd = java.resolveSibling("jcmd");
            return new ExampleProcess(child, killer, Integer.parseInt(m.group(1)), Files.isExecutable(jcmd) ? jcmd : null, logDir);
        } catch (IOException | RuntimeException e) {
            child.terminate(5_000);
            removeHook(killer);
            throw e;
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return child.pid();
    }

    String name() {
        return child.name();
    }

    /** Whether {@code jcmd} was found beside the server's {@code java}. */
    boolean hasJcmd() {
        return jcmd != null;
    }

    /** {@code VmRSS} in KiB. */
    long rssKiB() throws IOException {
        long rss = ProcStats.rssKiB(child.pid());
        if (rss < 0) {
            throw new IOException(child.name() + " has exited" + child.logTail());
        }
        return rss;
    }

    /** Open descriptors. */
    long openFds() throws IOException {
        long fds = ProcStats.openFds(child.pid());
        if (fds < 0) {
            throw new IOException(child.name() + " has exited" + child.logTail());
        }
        return fds;
    }

    /** The server's side of its connections, from the kernel's socket table. */
    TcpTable.Summary sockets() throws IOException {
        return TcpTable.read(child.pid(), port);
    }

    /** A full GC ({@code jcmd PID GC.run}), so garbage does not count as held memory. No-op without jcmd. */
    void fullGc() throws IOException {
        if (jcmd != null) {
            jcmd("GC.run");
        }
    }

    /**
     * Heap in use ({@code jcmd PID GC.heap_info}: the "used" of each generation's "total" line,
     * which G1 and Serial print on JDK 17 and 25 alike), in KiB; -1 without jcmd.
     */
    long heapUsedKiB() throws IOException {
        if (jcmd == null) {
            return -1;
        }
        long used = 0;
        for (String line : jcmd("GC.heap_info").split("\n")) {
            if (line.contains(" total ")) {
                Matcher m = HEAP_USED.matcher(line);
                if (m.find()) {
                    used += Long.parseLong(m.group(1));
                }
            }
        }
        return used;
    }

    /** {@code jcmd PID GC.class_histogram}: live objects per class (it runs a full GC first). */
    String classHistogram() throws IOException {
        if (jcmd == null) {
            throw new IOException("no jcmd beside the server's java: cannot read the heap histogram");
        }
        return jcmd("GC.class_histogram");
    }

    /** {@code jcmd PID VM.native_memory summary}: the server must run with {@code -XX:NativeMemoryTracking=summary}. */
    String nativeMemorySummary() throws IOException {
        if (jcmd == null) {
            throw new IOException("no jcmd beside the server's java: cannot read native memory");
        }
        return jcmd("VM.native_memory", "summary");
    }

    /**
     * Waits until the resident size holds still: sampled every 100 ms, settled when the last
     * second's samples lie within 1% (at least 256 KiB) of each other.
     *
     * @return the last sample, and whether it settled within {@code timeoutMillis}
     */
    Settled settledRss(long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long[] window = new long[11];
        int n = 0;
        while (true) {
            long rss = rssKiB();
            window[n % window.length] = rss;
            n++;
            if (n >= window.length) {
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (long v : window) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                if (max - min <= Math.max(256, max / 100)) {
                    return new Settled(rss, true);
                }
            }
            if (System.nanoTime() > deadline) {
                return new Settled(rss, false);
            }
            Thread.sleep(100); // a sampling period, not a hand-off: the loop ends on what it reads
        }
    }

    /** A resident size and whether it had stopped moving. */
    record Settled(long rssKiB, boolean settled) {
    }

    /** Log tail, for error messages. */
    String logTail() {
        return child.logTail();
    }

    private String jcmd(String... command) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(jcmd.toString());
        cmd.add(Long.toString(child.pid()));
        cmd.addAll(List.of(command));
        Path out = Files.createTempFile(logDir, "jcmd-", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(JCMD_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + JCMD_TIMEOUT_MS + " ms");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + text.trim());
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + String.join(" ", cmd), e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Stops the server (SIGTERM, then by force after 15 s) and removes the shutdown hook. */
    @Override
    public void close() {
        child.terminate(15_000);
        removeHook(killer);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway, harmlessly
        }
    }
}
