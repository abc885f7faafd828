package io.gnetj.bench.mem;

import io.gnetj.bench.host.Machine;
import io.gnetj.bench.host.ProcStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * Measures how much resident memory an example server spends on connections that hold an
 * unfinished frame: the memory amplification a peer gets by sending a few bytes and no more.
 * {@code bench/amplification.sh} is the documented way to run it.
 *
 * <pre>
 * java -cp gnetj-bench/target/gnetj-bench.jar io.gnetj.bench.mem.AmplificationProbe [flags]
 *   --cases a,b        http, redis, length-field, http-tls (default: all)
 *   --conns N[,N...]   connections per measurement; one server per case and count (default 4000)
 *   --held K           bytes each connection holds, 1 .. message length - 1 (default: per case, see ProbeCase)
 *   --java PATH        the server's java binary (default: the JVM running the probe); its jcmd is used too
 *   --jvm-flags "F"    the server's JVM flags, space-separated (default "-Xmx1g -XX:MaxDirectMemorySize=1g")
 *   --examples-jar P   default gnetj-examples/target/gnetj-examples.jar
 *   --loops N          the server's event loops (default: the example's, one per core)
 *   --warmup N         whole exchanges before the baseline, one connection each, sent a byte at a time (default 300)
 *   --settle-ms MS     longest wait for the resident size to stop moving, per stage (default 15000)
 *   --no-gc            do not run jcmd GC.run before each reading
 *   --nmt              run the server with -XX:NativeMemoryTracking=summary and print where memory went
 *   --histogram        print the classes whose live objects grew, idle and holding (jcmd GC.class_histogram)
 *   --append FILE      append the table rows to FILE (the header too if FILE is new)
 *   --out DIR          server logs (default gnetj-bench/target/amplification)
 * </pre>
 *
 * <h2>One measurement</h2>
 * <ol>
 *   <li>the example starts in its own JVM on a free loopback port;
 *   <li>warm-up: whole exchanges on fresh connections, closed again; then a full GC
 *       ({@code jcmd PID GC.run}) and the <b>baseline</b> resident size ({@code VmRSS});
 *   <li>N connections are opened and left silent (TLS: handshaken), the server accepts them;
 *       GC, <b>idle</b> resident size;
 *   <li>each connection is sent the case's first K bytes, one byte per TCP segment (TLS: per
 *       record), going round all connections for each byte and waiting until the server has read
 *       every one ({@link TcpTable}) before the next; GC, <b>holding</b> resident size;
 *   <li>the connections are reset; GC, resident size <b>after close</b>; the server is stopped.
 * </ol>
 * Each resident size is read once it has held still for a second ({@link ExampleProcess#settledRss}).
 * {@code idle - baseline} is the per-connection constant; {@code holding - idle} is the
 * amplification; {@code holding - baseline} is what the requirement bounds (40 MiB for 10,000
 * connections, socket objects included).
 *
 * <p>Every wait has a deadline and fails with what it waited for. The server is stopped at the
 * end of each measurement, and killed by a shutdown hook if the probe dies first.
 */
public final class AmplificationProbe {

    static final List<String> DEFAULT_JVM_FLAGS = List.of("-Xmx1g", "-XX:MaxDirectMemorySize=1g");
    /** The requirement: at most this many MiB ... */
    static final double BUDGET_MIB = 40;
    /** ... for this many connections, each holding an unfinished frame. */
    static final int BUDGET_CONNS = 10_000;
    /** Descriptors a process needs beyond one per connection: the JVM's jars, selectors, pipes, logs. */
    static final int FD_SLACK = 512;

    /** The probe's settings, from its flags. */
    record Config(List<ProbeCase> cases, List<Integer> conns, Integer held, Path java, List<String> jvmFlags,
                  Path examplesJar, Integer loops, int warmup, long settleMillis, boolean gc, boolean nmt,
                  boolean histogram, Path append, Path out) {
    }

    /** One stage's readings, in KiB; heap -1 when jcmd is missing. */
    record Reading(long rssKiB, long heapKiB) {
    }

    /** One measurement. */
    record Result(ProbeCase probeCase, String jdk, int conns, byte[] held, Reading baseline, Reading idle,
                  Reading holding, Reading afterClose, long serverPid, List<String> notes) {

        long baselineKiB() {
            return baseline.rssKiB();
        }

        long idleKiB() {
            return idle.rssKiB();
        }

        long holdingKiB() {
            return holding.rssKiB();
        }

        long afterCloseKiB() {
            return afterClose.rssKiB();
        }

        /** Heap in use after GC per connection, idle and holding; NaN without jcmd. */
        double idleHeapPerConnKiB() {
            return baseline.heapKiB() < 0 ? Double.NaN : (double) (idle.heapKiB() - baseline.heapKiB()) / conns;
        }

        double holdingHeapPerConnKiB() {
            return baseline.heapKiB() < 0 ? Double.NaN : (double) (holding.heapKiB() - baseline.heapKiB()) / conns;
        }

        double idleDeltaMiB() {
            return (idleKiB() - baselineKiB()) / 1024.0;
        }

        double holdingDeltaMiB() {
            return (holdingKiB() - baselineKiB()) / 1024.0;
        }

        double idlePerConnKiB() {
            return (double) (idleKiB() - baselineKiB()) / conns;
        }

        double holdingPerConnKiB() {
            return (double) (holdingKiB() - baselineKiB()) / conns;
        }

        double amplificationPerConnKiB() {
            return (double) (holdingKiB() - idleKiB()) / conns;
        }

        /** Whether {@code holding - baseline} stays within the requirement, scaled to this many connections. */
        boolean withinBudget() {
            return holdingDeltaMiB() <= BUDGET_MIB * conns / BUDGET_CONNS;
        }
    }

    private final Config config;

    private AmplificationProbe(Config config) {
        this.config = config;
    }

    /** Entry point; see the class comment. Exits 0 when every measurement ran, 1 if one failed, 2 on a usage error. */
    public static void main(String[] args) {
        Config config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("amplification: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            Summary summary = new AmplificationProbe(config).runAll();
            System.exit(summary.failures().isEmpty() ? 0 : 1);
        } catch (IllegalStateException e) {
            System.err.println("amplification: " + e.getMessage());
            System.exit(1);
        }
    }

    /** What a run measured, and the measurements that failed (case, count and why). */
    record Summary(List<Result> results, List<String> failures) {
    }

    /** Runs with {@code args} (as {@link #main}) and returns what was measured. */
    static Summary run(String... args) {
        return new AmplificationProbe(parse(args)).runAll();
    }

    private Summary runAll() {
        if (!ProcStats.available()) {
            throw new IllegalStateException("needs Linux /proc to read the server's memory and sockets");
        }
        int most = config.conns().stream().mapToInt(Integer::intValue).max().orElse(0);
        checkDescriptors(most);
        Machine.Jdk jdk = Machine.jdk(config.java().getParent().getParent());
        String command = System.getenv("AMP_COMMAND");
        log("amplification: " + (command == null || command.isBlank() ? "" : command.trim() + "\n  ") + config.cases().size() + " case(s) x " + config.conns() + " connections; server JDK "
                + jdk.description() + ", flags " + String.join(" ", config.jvmFlags()) + "; gnetj " + Machine.revision()
                + "; " + Machine.describe());
        List<Result> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (ProbeCase c : config.cases()) {
            for (int n : config.conns()) {
                try {
                    Result r = measure(c, n, jdk.label());
                    results.add(r);
                    log("  " + summaryLine(r));
                } catch (IOException | RuntimeException e) {
                    failures.add(c.label() + " x " + n + ": " + e.getMessage());
                    log("  " + c.label() + " x " + n + " FAILED: " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.add(c.label() + " x " + n + ": interrupted");
                    break;
                }
            }
        }
        List<String> table = new ArrayList<>();
        table.add(header());
        table.add(separator());
        for (Result r : results) {
            table.add(row(r));
        }
        log("");
        table.forEach(AmplificationProbe::log);
        for (String f : failures) {
            log("FAILED " + f);
        }
        if (config.append() != null && !results.isEmpty()) {
            append(config.append(), table);
        }
        return new Summary(List.copyOf(results), List.copyOf(failures));
    }

    // ---- one measurement ----

    private Result measure(ProbeCase c, int n, String jdkLabel) throws IOException, InterruptedException {
        byte[] held = c.partial(config.held() != null ? config.held() : c.defaultHeld());
        String tag = c.label() + "-" + n + "-" + jdkLabel;
        List<String> flags = new ArrayList<>(config.jvmFlags());
        if (config.nmt()) {
            flags.add("-XX:NativeMemoryTracking=summary");
        }
        List<String> args = new ArrayList<>(c.serverArgs());
        if (config.loops() != null) {
            args.addAll(List.of("--loops", Integer.toString(config.loops())));
        }
        SSLContext tls;
        try {
            tls = c.tls() ? ProbeTls.trustingAnything() : null;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("no TLS client context: " + e, e);
        }
        List<String> notes = new ArrayList<>();
        List<String> stages = new ArrayList<>();
        List<Map<String, Long>> nmt = new ArrayList<>();
        List<Map<String, HeapHistogram.Entry>> histograms = new ArrayList<>();
        log("  [" + tag + "] starting " + c.example() + " " + String.join(" ", c.serverArgs()));
        try (ExampleProcess server = ExampleProcess.start(config.java(), flags, config.examplesJar(), c.example(), args,
                tag, config.out())) {
            if (!server.hasJcmd()) {
                notes.add("no jcmd: not GC'd");
            }
            server.fullGc(); // the attach listener opens a descriptor: open it before counting them
            long fdsStart = server.openFds();
            WarmUp.run(c, server.port(), tls, config.warmup(), 30_000);
            awaitFds(server, "the warm-up connections to close", fds -> fds <= fdsStart, 30_000, true);

            Reading baseline = reading(server, "baseline", notes, stages, nmt, histograms);

            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            long openMillis = 60_000 + (long) n * (tls != null ? 20 : 2);
            log("  [" + tag + "] opening " + n + (tls != null ? " TLS" : "") + " connections");
            try (ClientConnections clients = ClientConnections.open(address, n, tls, () -> heldBy(server, fdsStart), openMillis)) {
                awaitFds(server, "the server to accept " + n + " connections", fds -> fds >= fdsStart + n, 60_000, true);
                String handshakes = awaitRead(server, n);
                if (handshakes != null) {
                    throw new IOException("the server stopped reading the handshakes: " + handshakes + server.logTail());
                }
                Reading idle = reading(server, "idle", notes, stages, nmt, histograms);

                log("  [" + tag + "] sending '" + ProbeCase.printable(held) + "', one byte per "
                        + (tls != null ? "record" : "segment") + " to each connection in turn");
                for (int i = 0; i < held.length; i++) {
                    clients.sendToAll(held[i]);
                    String unread = awaitRead(server, 0);
                    if (unread != null) {
                        // Not a probe failure: the server giving up is the finding (e.g. out of direct memory).
                        notes.add("server stopped reading at byte " + (i + 1) + " of " + held.length + ": " + unread);
                        log("  [" + tag + "] " + notes.get(notes.size() - 1));
                        break;
                    }
                }
                Reading holding = reading(server, "holding", notes, stages, nmt, histograms);

                int gone = clients.closedOrAnswered();
                long fdsHolding = server.openFds();
                if (gone > 0 || fdsHolding < fdsStart + n) {
                    notes.add("server closed or answered " + gone + " connections, holds " + (fdsHolding - fdsStart) + " of " + n);
                }
                clients.resetAll();
                long left = awaitFds(server, "the server to close the reset connections", fds -> fds <= fdsStart + 16, 60_000,
                        false) - fdsStart;
                if (left > 16) {
                    notes.add("server still held " + left + " connections 60 s after the probe reset them");
                }
                Reading afterClose = reading(server, "closed", notes, stages, nmt, null);
                if (config.nmt()) {
                    NativeMemory.table(stages, nmt).forEach(AmplificationProbe::log);
                }
                if (config.histogram()) {
                    log("  idle connections, over the baseline:");
                    HeapHistogram.growth(histograms.get(0), histograms.get(1), n, 12).forEach(AmplificationProbe::log);
                    log("  connections holding a frame, over idle ones:");
                    HeapHistogram.growth(histograms.get(1), histograms.get(2), n, 12).forEach(AmplificationProbe::log);
                }
                return new Result(c, jdkLabel, n, held, baseline, idle, holding, afterClose, server.pid(), List.copyOf(notes));
            }
        }
    }

    /**
     * A GC, then the settled resident size and the heap in use (and the NMT summary and the heap
     * histogram if asked, the latter only if {@code histograms} is not null).
     */
    private Reading reading(ExampleProcess server, String stage, List<String> notes, List<String> stages,
                            List<Map<String, Long>> nmt, List<Map<String, HeapHistogram.Entry>> histograms)
            throws IOException, InterruptedException {
        if (config.gc()) {
            server.fullGc();
        }
        ExampleProcess.Settled s = server.settledRss(config.settleMillis());
        if (!s.settled()) {
            notes.add(stage + " RSS still moving after " + config.settleMillis() + " ms");
        }
        if (config.nmt()) {
            stages.add(stage);
            nmt.add(NativeMemory.committedKiB(server.nativeMemorySummary()));
        }
        if (config.histogram() && histograms != null) {
            histograms.add(HeapHistogram.parse(server.classHistogram()));
        }
        long heap = server.heapUsedKiB();
        log(String.format(Locale.ROOT, "  [%s] %-8s RSS %8.1f MiB, heap used %8.1f MiB, %d descriptors", server.name(),
                stage, s.rssKiB() / 1024.0, heap / 1024.0, server.openFds()));
        return new Reading(s.rssKiB(), heap);
    }

    private static long heldBy(ExampleProcess server, long fdsStart) {
        try {
            return server.openFds() - fdsStart;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A condition on the server's descriptor count. */
    private interface FdCondition {
        boolean test(long fds);
    }

    /**
     * Polls the server's descriptor count until {@code done}; then returns it. After
     * {@code timeoutMillis} it throws if {@code required}, else returns the last count.
     */
    private static long awaitFds(ExampleProcess server, String what, FdCondition done, long timeoutMillis, boolean required)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long fds;
        while (!done.test(fds = server.openFds())) {
            if (System.nanoTime() > deadline) {
                if (!required) {
                    return fds;
                }
                throw new IOException("waited " + timeoutMillis + " ms for " + what + "; the server has " + fds
                        + " descriptors open" + server.logTail());
            }
            Thread.sleep(50); // polling what /proc says, with a deadline
        }
        return fds;
    }

    /** How long the unread total may stay put before the server counts as having stopped reading. */
    static final long STALL_MILLIS = 10_000;
    /** How long reading may take in all, even while it progresses. */
    static final long READ_MILLIS = 120_000;

    /**
     * Waits until no byte sent to the server waits unread in its sockets (and at least
     * {@code established} of them are established).
     *
     * @return {@code null} once so; else, when the unread bytes have not fallen for
     *         {@link #STALL_MILLIS} (or after {@link #READ_MILLIS}), what is left unread
     */
    private static String awaitRead(ExampleProcess server, int established) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long progressed = start;
        long lowest = Long.MAX_VALUE;
        TcpTable.Summary s;
        while ((s = server.sockets()).unreadBytes() > 0 || s.established() < established) {
            long now = System.nanoTime();
            long pending = s.unreadBytes() + Math.max(0, established - s.established());
            if (pending < lowest) {
                lowest = pending;
                progressed = now;
            }
            if (now - progressed > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)
                    || now - start > TimeUnit.MILLISECONDS.toNanos(READ_MILLIS)) {
                return s.unreadBytes() + " B unread in " + s.established() + " established sockets after "
                        + TimeUnit.NANOSECONDS.toSeconds(now - start) + " s";
            }
            Thread.sleep(20); // polling the kernel's socket table, with a deadline
        }
        return null;
    }

    /**
     * Each side holds one descriptor per connection, the probe here and the server in its own
     * process (which inherits this limit), so each process needs N and some; the system as a whole
     * needs 2N.
     */
    static void checkDescriptors(int conns) {
        long limit = maxOpenFiles();
        long need = conns + FD_SLACK;
        if (limit >= 0 && limit < need) {
            throw new IllegalStateException(conns + " connections need " + need + " open files in the probe and as many in"
                    + " the server (each holds one socket per connection), but the limit is " + limit
                    + ". Run `ulimit -n 65536` in this shell (as root, or after raising the hard limit in"
                    + " /etc/security/limits.conf) and start again.");
        }
        long systemMax = readLong(Path.of("/proc/sys/fs/file-max"));
        if (systemMax >= 0 && systemMax < 2L * conns + 4 * FD_SLACK) {
            throw new IllegalStateException(conns + " connections need " + (2L * conns) + " open files system-wide,"
                    + " but fs.file-max is " + systemMax + ". Run `sysctl -w fs.file-max=" + (4L * conns) + "`.");
        }
    }

    /** The soft {@code RLIMIT_NOFILE} of this process (the JVM raises it to the hard limit at start), or -1. */
    static long maxOpenFiles() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long readLong(Path p) {
        try {
            // Not Files.readString: on some kernels it reads /proc/sys files short (one byte).
            return Long.parseLong(Files.readAllLines(p, StandardCharsets.US_ASCII).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    // ---- the table ----

    static String header() {
        return "| case | JDK | conns | held per conn | RSS baseline | RSS idle | RSS holding | RSS after close"
                + " | idle Δ | holding Δ | idle per conn | holding per conn | amplification per conn"
                + " | heap per conn idle / holding | 40 MiB per 10k | notes |";
    }

    static String separator() {
        return "|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|";
    }

    static String row(Result r) {
        return String.format(Locale.ROOT,
                "| %s | %s | %,d | `%s` (%d B) | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %+.1f MiB | %+.1f MiB"
                        + " | %.2f KiB | %.2f KiB | %.2f KiB | %.2f / %.2f KiB | %s | %s |",
                r.probeCase().label(), r.jdk(), r.conns(), ProbeCase.printable(r.held()), r.held().length,
                r.baselineKiB() / 1024.0, r.idleKiB() / 1024.0, r.holdingKiB() / 1024.0, r.afterCloseKiB() / 1024.0,
                r.idleDeltaMiB(), r.holdingDeltaMiB(), r.idlePerConnKiB(), r.holdingPerConnKiB(),
                r.amplificationPerConnKiB(), r.idleHeapPerConnKiB(), r.holdingHeapPerConnKiB(),
                r.withinBudget() ? "within" : "over", String.join("; ", r.notes()));
    }

    private static String summaryLine(Result r) {
        return String.format(Locale.ROOT, "%s x %d holding %d B: baseline %.1f MiB, idle %+.1f MiB (%.2f KiB/conn),"
                        + " holding %+.1f MiB (%.2f KiB/conn, %.2f KiB/conn over idle), after close %.1f MiB%s",
                r.probeCase().label(), r.conns(), r.held().length, r.baselineKiB() / 1024.0, r.idleDeltaMiB(),
                r.idlePerConnKiB(), r.holdingDeltaMiB(), r.holdingPerConnKiB(), r.amplificationPerConnKiB(),
                r.afterCloseKiB() / 1024.0, r.notes().isEmpty() ? "" : " [" + String.join("; ", r.notes()) + "]");
    }

    private static void append(Path file, List<String> table) {
        try {
            boolean fresh = !Files.exists(file) || Files.size(file) == 0;
            List<String> lines = fresh ? table : table.subList(2, table.size());
            Files.write(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            log("appended " + (fresh ? "the table" : lines.size() + " rows") + " to " + file);
        } catch (IOException e) {
            log("cannot append to " + file + ": " + e);
        }
    }

    static void log(String line) {
        System.out.println(line);
        System.out.flush();
    }

    // ---- flags ----

    static Config parse(String... args) {
        List<ProbeCase> cases = new ArrayList<>();
        List<Integer> conns = new ArrayList<>();
        Integer held = null;
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> jvmFlags = DEFAULT_JVM_FLAGS;
        Path jar = Path.of("gnetj-examples", "target", "gnetj-examples.jar");
        Integer loops = null;
        int warmup = 300;
        long settle = 15_000;
        boolean gc = true;
        boolean nmt = false;
        boolean histogram = false;
        Path append = null;
        Path out = Path.of("gnetj-bench", "target", "amplification");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--cases":
                    for (String c : value(args, ++i, a).split(",")) {
                        cases.add(ProbeCase.byLabel(c.trim()));
                    }
                    break;
                case "--conns":
                    for (String c : value(args, ++i, a).split(",")) {
                        conns.add(positive(c.trim().replace("_", ""), a));
                    }
                    break;
                case "--held": held = positive(value(args, ++i, a), a); break;
                case "--java": java = Path.of(value(args, ++i, a)); break;
                case "--jvm-flags":
                    String f = value(args, ++i, a).trim();
                    jvmFlags = f.isEmpty() ? List.of() : Arrays.asList(f.split("\\s+"));
                    break;
                case "--examples-jar": jar = Path.of(value(args, ++i, a)); break;
                case "--loops": loops = positive(value(args, ++i, a), a); break;
                case "--warmup": warmup = positive(value(args, ++i, a), a); break;
                case "--settle-ms": settle = positive(value(args, ++i, a), a); break;
                case "--no-gc": gc = false; break;
                case "--nmt": nmt = true; break;
                case "--histogram": histogram = true; break;
                case "--append": append = Path.of(value(args, ++i, a)); break;
                case "--out": out = Path.of(value(args, ++i, a)); break;
                default:
                    throw new IllegalArgumentException("unknown flag " + a + " (see the javadoc of " + AmplificationProbe.class.getName() + ")");
            }
        }
        if (cases.isEmpty()) {
            cases.addAll(Arrays.asList(ProbeCase.values()));
        }
        if (conns.isEmpty()) {
            conns.add(4000);
        }
        if (held != null) {
            for (ProbeCase c : cases) {
                c.partial(held); // throws naming the case if it does not fit
            }
        }
        if (!Files.isExecutable(java)) {
            throw new IllegalArgumentException("--java " + java + ": not an executable");
        }
        try {
            java = java.toRealPath(); // /usr/bin/java is a link: its JDK (and jcmd) are where it points
        } catch (IOException e) {
            throw new IllegalArgumentException("--java " + java + ": " + e.getMessage());
        }
        if (!Files.isReadable(jar)) {
            throw new IllegalArgumentException("no examples jar at " + jar.toAbsolutePath()
                    + " (build it: mvn -B -q -o package -DskipTests, or pass --examples-jar)");
        }
        return new Config(List.copyOf(cases), List.copyOf(conns), held, java, List.copyOf(jvmFlags), jar.toAbsolutePath(),
                loops, warmup, settle, gc, nmt, histogram, append, out.toAbsolutePath());
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static int positive(String v, String flag) {
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": not a number: " + v);
        }
        if (n <= 0) {
            throw new IllegalArgumentException(flag + " must be positive, not " + v);
        }
        return n;
    }
}
