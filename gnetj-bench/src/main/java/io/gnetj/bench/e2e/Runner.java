package io.gnetj.bench.e2e;

import io.gnetj.bench.host.Child;
import io.gnetj.bench.host.Machine;
import io.gnetj.bench.host.ProcStats;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The end-to-end comparison of gnetj with Netty: starts every server in its own JVM on loopback,
 * checks it answers correctly, drives it with wrk or {@link EchoLoad} (another JVM), and writes a
 * report with a chart. {@code bench/e2e.sh} is the documented way to start it.
 *
 * <pre>
 * java -cp gnetj-bench.jar io.gnetj.bench.e2e.Runner [flags]
 *   --smoke            a few seconds per case, 1 round, small idle count, one server per workload
 *   --jdk PATH         a server JDK (repeatable); default: the newest 17 and the newest other JDK
 *                      under /usr/lib/jvm (smoke: the JDK running the runner)
 *   --rounds N         rounds per case, servers alternating A B C A B C ... (default 3)
 *   --warmup S         seconds of load before the measured window (default 10)
 *   --measure S        seconds of the measured window (default 10)
 *   --idle-conns N     connections of the memory cases (default 10000)
 *   --cases a,b        only these cases (names as in the report)
 *   --out DIR          results.csv, report.md, logs (default gnetj-bench/target/e2e)
 *   --docs FILE        also write the report into FILE between its e2e markers, the chart beside it
 *   --server-cpus L    taskset CPU list of the servers (default 1 when there are 2+ CPUs)
 *   --load-cpus L      taskset CPU list of wrk and EchoLoad (default 0 when there are 2+ CPUs)
 *   --loops N          event loops per server (default: CPUs in --server-cpus, else 1)
 *   --classpath CP     class path of the child JVMs (default: this JVM's)
 *   --jfr              record a JFR profile of every server into OUT/jfr
 *   --jfr-settings S   the recording's settings (default profile; a .jfc path, e.g. gnetj.jfc for gnetj's events)
 * </pre>
 *
 * Every server JVM runs with the same flags ({@link #SERVER_FLAGS}), so heap and GC cannot explain
 * a difference. The server's CPU time comes from {@code /proc/PID/stat}, its resident memory from
 * {@code /proc/PID/status}, and its loop threads' allocation from {@link ServerMain}'s
 * {@code alloc} command, all sampled just before and just after the measured window.
 */
public final class Runner {

    /**
     * JVM flags of every server. A fixed heap so heap sizing cannot differ; the serial collector,
     * which the JVM picks by itself on one CPU anyway, named so every JDK uses it; no pre-touch, so
     * resident memory shows what a server really touched; leak detection off in both libraries so
     * each runs its fast path; and a wide {@code Integer} cache, which docs/hot-path-allocation.md
     * recommends to every NIO server: without it the JDK's epoll selector boxes each ready file
     * descriptor above 127 (16 bytes per ready key, inside {@code Selector.select}, in gnetj and
     * Netty NIO alike).
     */
    static final List<String> SERVER_FLAGS = List.of(
            "-Xms256m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:-AlwaysPreTouch", "-XX:MaxDirectMemorySize=256m",
            "-XX:AutoBoxCacheMax=65536",
            "-Dio.gnetj.leakDetection=disabled", "-Dio.netty.leakDetection.level=disabled");

    /** JVM flags of the echo load generator (the runner's own JDK). */
    static final List<String> LOAD_FLAGS = List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC");

    /** The runner's settings, from its flags. */
    record Config(boolean smoke, List<Path> jdks, int rounds, int warmup, int measure, int idleConns,
                  Set<String> cases, Path out, Path docs, List<String> serverPin, List<String> loadPin, int loops,
                  String classpath, boolean jfr, String jfrSettings, String command) {
    }

    /** What a run produced. */
    record Summary(List<Result> results, Path report, Path chart) {

        long failures() {
            return results.stream().filter(r -> r.status() == Result.Status.FAILED).count();
        }
    }

    private final Config config;
    private final Path script;
    private final List<Result> results = new ArrayList<>();

    private Runner(Config config) throws IOException {
        this.config = config;
        this.script = Wrk.script(config.out());
    }

    /** Entry point; see the class comment. Exits 1 if any run failed. */
    public static void main(String[] args) throws Exception {
        Summary s;
        try {
            s = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("e2e: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(s.failures() > 0 ? 1 : 0);
    }

    /** Runs with {@code args} (as {@link #main}) and returns what was measured and written. */
    public static Summary run(String... args) throws Exception {
        if (args.length == 3 && args[0].equals("--redraw-chart")) {
            return redrawChart(Path.of(args[1]), Path.of(args[2]));
        }
        Config config = parse(args);
        if (!ProcStats.available()) {
            throw new IllegalArgumentException("needs Linux /proc to read the servers' CPU time and memory");
        }
        Runner runner = new Runner(config);
        return runner.runAll();
    }

    private Summary runAll() throws Exception {
        String loadBefore = Machine.loadAverage();
        long started = System.nanoTime();
        List<Case> cases = new ArrayList<>();
        for (Case c : Case.all(config.idleConns())) {
            if (config.cases().isEmpty() || config.cases().contains(c.name())) {
                cases.add(c);
            }
        }
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("no case matches --cases " + config.cases());
        }
        boolean wrk = Wrk.installed();
        log("e2e: " + cases.size() + " cases, " + config.rounds() + " round(s), warm-up " + config.warmup()
                + " s, measure " + config.measure() + " s, JDKs " + config.jdks() + (wrk ? "" : "; wrk not found: HTTP cases skipped"));
        Machine.revision(); // what the jar was built from; see there
        List<Machine.Jdk> jdks = new ArrayList<>();
        for (Path home : config.jdks()) {
            Machine.Jdk jdk = Machine.jdk(home);
            jdks.add(jdk);
            for (List<Case> session : Case.sessions(cases, config.smoke())) {
                for (int round = 1; round <= config.rounds(); round++) {
                    for (String impl : session.get(0).impls()) {
                        runSession(jdk, impl, session, round, wrk);
                    }
                }
            }
        }
        String loadAfter = Machine.loadAverage();
        double minutes = (System.nanoTime() - started) / 60e9;
        Report report = new Report(config, jdks, cases, results, loadBefore, loadAfter, minutes);
        Path md = report.writeAll();
        log(String.format(Locale.ROOT, "e2e: done in %.1f min; report %s, chart %s", minutes, md, report.chartPath()));
        return new Summary(List.copyOf(results), md, report.chartPath());
    }

    /**
     * {@code --redraw-chart RESULTS.csv OUT.png}: draws the chart again from a run's results (for
     * a change of chart layout), without measuring anything.
     */
    private static Summary redrawChart(Path csv, Path png) throws IOException {
        List<Result> results = Report.readCsv(csv);
        List<Machine.Jdk> jdks = new ArrayList<>();
        for (Result r : results) {
            if (jdks.stream().noneMatch(j -> j.label().equals(r.jdk()))) {
                jdks.add(new Machine.Jdk(Path.of(r.jdk()), 0, r.jdk(), r.jdk()));
            }
        }
        Config config = parse("--out", png.getParent().toString());
        new Report(config, jdks, Case.all(10_000), results, "?", "?", 0).chart(png);
        return new Summary(results, null, png);
    }

    /** One server process serving the cases of {@code session} in turn. */
    private void runSession(Machine.Jdk jdk, String impl, List<Case> session, int round, boolean wrk) {
        String workload = session.get(0).workload();
        List<Case> runnable = new ArrayList<>();
        for (Case c : session) {
            if (needsWrk(c) && !wrk) {
                results.add(Result.skipped(jdk.label(), c, impl, round, Result.Status.SKIPPED, "wrk is not installed"));
            } else {
                runnable.add(c);
            }
        }
        if (runnable.isEmpty()) {
            return;
        }
        String tag = jdk.label() + "-" + impl + "-" + workload + "-r" + round;
        int port;
        try {
            port = freePort();
        } catch (IOException e) {
            fail(jdk, runnable, impl, round, "no free port: " + e);
            return;
        }
        List<String> cmd = new ArrayList<>(config.serverPin());
        cmd.add(jdk.home().resolve("bin/java").toString());
        cmd.addAll(serverFlags(jdk, impl, tag));
        cmd.addAll(List.of("-cp", config.classpath(), ServerMain.class.getName(), impl, workload,
                "--port", Integer.toString(port), "--loops", Integer.toString(config.loops())));
        Child server;
        try {
            server = Child.start(tag, cmd, config.out().resolve("logs").resolve(tag + ".log"));
        } catch (IOException e) {
            fail(jdk, runnable, impl, round, "cannot start the server: " + e);
            return;
        }
        try {
            String ready = server.await(60_000, "READY", "UNAVAILABLE");
            if (ready.startsWith("UNAVAILABLE")) {
                String why = ready.substring("UNAVAILABLE".length()).trim();
                log("  [" + tag + "] skipped: " + why);
                for (Case c : runnable) {
                    results.add(Result.skipped(jdk.label(), c, impl, round, Result.Status.SKIPPED, why));
                }
                return;
            }
            Probe.check(workload, port);
            for (Case c : runnable) {
                try {
                    Map<String, Double> m = measure(c, server, port, tag);
                    results.add(new Result(jdk.label(), c.name(), impl, round, Result.Status.OK, m, null));
                    log("  [" + jdk.label() + "] " + c.name() + " r" + round + " " + impl + ": " + Report.oneLine(c, m));
                } catch (IOException | RuntimeException e) {
                    results.add(Result.skipped(jdk.label(), c, impl, round, Result.Status.FAILED, e.getMessage()));
                    log("  [" + tag + "] " + c.name() + " FAILED: " + e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(jdk, runnable, impl, round, e.getMessage());
        } finally {
            server.close();
        }
    }

    private void fail(Machine.Jdk jdk, List<Case> cases, String impl, int round, String why) {
        log("  [" + jdk.label() + "] " + impl + " r" + round + " FAILED: " + why);
        for (Case c : cases) {
            results.add(Result.skipped(jdk.label(), c, impl, round, Result.Status.FAILED, why));
        }
    }

    private static boolean needsWrk(Case c) {
        return c.load() == Case.Load.WRK;
    }

    private List<String> serverFlags(Machine.Jdk jdk, String impl, String tag) {
        List<String> flags = new ArrayList<>(SERVER_FLAGS);
        if (impl.equals(Case.GNETJ_EPOLL) && jdk.major() >= 22) {
            flags.add("--enable-native-access=ALL-UNNAMED"); // the FFM downcalls; no JNI library
        }
        if (!impl.startsWith(Case.GNETJ)) {
            if (jdk.major() >= 24) {
                // Netty 4.2 turns its Unsafe-based paths off on JDK 24+ unless allowed: a Netty user
                // after speed allows them (gnetj uses no Unsafe, so it needs no such flag).
                flags.add("--sun-misc-unsafe-memory-access=allow");
            }
            if (jdk.major() >= 22) {
                flags.add("--enable-native-access=ALL-UNNAMED"); // native epoll loads a JNI library
            }
        }
        if (config.jfr()) {
            try {
                Files.createDirectories(config.out().resolve("jfr"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            flags.add("-XX:StartFlightRecording=filename=" + config.out().resolve("jfr").resolve(tag + ".jfr")
                    + ",settings=" + config.jfrSettings());
        }
        return flags;
    }

    /** Runs one case against a started, checked server. */
    private Map<String, Double> measure(Case c, Child server, int port, String tag) throws IOException {
        switch (c.load()) {
            case WRK: return measureWrk(c, server, port);
            case PINGPONG:
            case STREAM: return measureEcho(c, server, port, tag);
            case IDLE: return measureIdle(c, server, port, tag);
            default: throw new IllegalStateException(c.load().toString());
        }
    }

    /** The server's counters at one instant. */
    private record Sample(long nanos, long ticks, long allocLoops, long allocAll, long machineTicks) {
    }

    private static Sample sample(Child server) throws IOException {
        String[] alloc = server.ask("alloc", "ALLOC", 10_000).split(" ");
        long ticks = ProcStats.cpuTicks(server.pid());
        if (ticks < 0) {
            throw new IOException(server.name() + " has exited" + server.logTail());
        }
        return new Sample(System.nanoTime(), ticks, Long.parseLong(alloc[1]), Long.parseLong(alloc[2]),
                ProcStats.machineBusyTicks());
    }

    private static void serverFigures(Map<String, Double> m, Sample a, Sample b, long requests, long loadTicks) {
        double wall = (b.nanos() - a.nanos()) / 1e9;
        if (a.machineTicks() >= 0 && b.machineTicks() >= 0) {
            long other = (b.machineTicks() - a.machineTicks()) - (b.ticks() - a.ticks()) - loadTicks;
            m.put(Result.OTHER_CPU_PCT, 100.0 * Math.max(0, other) / ProcStats.CLOCK_TICKS_PER_SECOND / wall);
        }
        double cpu = (double) (b.ticks() - a.ticks()) / ProcStats.CLOCK_TICKS_PER_SECOND;
        m.put(Result.REQUESTS, (double) requests);
        m.put(Result.SERVER_CPU_PCT, 100 * cpu / wall);
        m.put(Result.CPU_US_PER_REQ, 1e6 * cpu / requests);
        m.put(Result.ALLOC_LOOP_B_PER_REQ, (double) (b.allocLoops() - a.allocLoops()) / requests);
        m.put(Result.ALLOC_ALL_B_PER_REQ, (double) (b.allocAll() - a.allocAll()) / requests);
    }

    private Map<String, Double> measureWrk(Case c, Child server, int port) throws IOException {
        if (config.warmup() > 0) {
            Wrk.Report warm = Wrk.run(config.loadPin(), port, c.conns(), c.param(), config.warmup(), script);
            checkWrk(warm);
        }
        Sample a = sample(server);
        Wrk.Report r = Wrk.run(config.loadPin(), port, c.conns(), c.param(), config.measure(), script);
        Sample b = sample(server);
        checkWrk(r);
        Map<String, Double> m = new HashMap<>();
        serverFigures(m, a, b, r.requests(), r.cpuTicks());
        m.put(Result.THROUGHPUT, r.requestsPerSecond());
        m.put(Result.LOAD_CPU_PCT, r.loadCpuPercent());
        if (c.param() == 1) {
            m.put(Result.P50_US, r.p50Micros());
            m.put(Result.P99_US, r.p99Micros());
        }
        return m;
    }

    private static void checkWrk(Wrk.Report r) throws IOException {
        if (r.requests() == 0 || r.non2xx() > 0) {
            throw new IOException("wrk got " + r.requests() + " responses, " + r.non2xx() + " not 2xx:\n" + r.text());
        }
    }

    private List<String> loadCommand(String... args) {
        List<String> cmd = new ArrayList<>(config.loadPin());
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(LOAD_FLAGS);
        cmd.addAll(List.of("-cp", config.classpath(), EchoLoad.class.getName()));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    private Map<String, Double> measureEcho(Case c, Child server, int port, String tag) throws IOException {
        String mode = c.load() == Case.Load.PINGPONG ? "pingpong" : "stream";
        List<String> cmd = loadCommand(mode, "--port", Integer.toString(port), "--conns", Integer.toString(c.conns()),
                "--size", Integer.toString(c.param()), "--inflight", Integer.toString(Case.STREAM_INFLIGHT),
                "--warmup", Integer.toString(config.warmup()), "--duration", Integer.toString(config.measure()));
        try (Child load = Child.start("load-" + tag, cmd, config.out().resolve("logs").resolve("load-" + tag + "-" + c.name() + ".log"))) {
            String start = load.await((config.warmup() + 60) * 1000L, "MEASURE_START", "FAILED");
            if (start.startsWith("FAILED")) {
                throw new IOException("load generator: " + start + load.logTail());
            }
            Sample a = sample(server);
            String end = load.await((config.measure() + 60) * 1000L, "MEASURE_END", "FAILED");
            Sample b = sample(server);
            if (end.startsWith("FAILED")) {
                throw new IOException("load generator: " + end + load.logTail());
            }
            Map<String, String> kv = keyValues(load.await(30_000, "RESULT", "FAILED"));
            long requests = Long.parseLong(kv.get("requests"));
            double seconds = Double.parseDouble(kv.get("seconds"));
            if (requests == 0) {
                throw new IOException("no message echoed in the measured window");
            }
            long loadTicks = Long.parseLong(kv.get("cpu_ticks"));
            Map<String, Double> m = new HashMap<>();
            serverFigures(m, a, b, requests, loadTicks);
            m.put(Result.LOAD_CPU_PCT, 100.0 * loadTicks / ProcStats.CLOCK_TICKS_PER_SECOND / seconds);
            if (c.load() == Case.Load.PINGPONG) {
                m.put(Result.THROUGHPUT, requests / seconds);
                m.put(Result.P50_US, Long.parseLong(kv.get("p50_ns")) / 1e3);
                m.put(Result.P99_US, Long.parseLong(kv.get("p99_ns")) / 1e3);
                m.put(Result.P999_US, Long.parseLong(kv.get("p999_ns")) / 1e3);
            } else {
                m.put(Result.THROUGHPUT, Long.parseLong(kv.get("bytes")) / seconds / (1024 * 1024));
            }
            return m;
        }
    }

    private Map<String, Double> measureIdle(Case c, Child server, int port, String tag) throws IOException {
        long pid = server.pid();
        long heapBefore = Long.parseLong(server.ask("heap", "HEAP", 30_000).split(" ")[1]);
        long rssBefore = ProcStats.rssKiB(pid);
        long fdsBefore = ProcStats.openFds(pid);
        List<String> cmd = loadCommand("idle", "--port", Integer.toString(port), "--conns", Integer.toString(c.conns()));
        try (Child load = Child.start("idle-" + tag, cmd, config.out().resolve("logs").resolve("load-" + tag + "-" + c.name() + ".log"))) {
            String opened = load.await(180_000, "OPENED", "FAILED");
            if (opened.startsWith("FAILED")) {
                throw new IOException("load generator: " + opened + load.logTail());
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            long fds;
            // A few descriptors of slack: the probe's connection may still have been open when
            // fdsBefore was read, and closes meanwhile.
            while ((fds = ProcStats.openFds(pid)) < fdsBefore + c.conns() - 4) {
                if (System.nanoTime() > deadline || fds < 0) {
                    throw new IOException("the server holds " + (fds - fdsBefore) + " of " + c.conns()
                            + " connections after 60 s" + server.logTail());
                }
                sleep(100);
            }
            sleep(config.smoke() ? 200 : 1000); // let accept-time garbage and registrations settle
            long heapAfter = Long.parseLong(server.ask("heap", "HEAP", 30_000).split(" ")[1]);
            long rssAfter = ProcStats.rssKiB(pid);
            Map<String, Double> m = new HashMap<>();
            m.put(Result.RSS_BEFORE_MIB, rssBefore / 1024.0);
            m.put(Result.RSS_AFTER_MIB, rssAfter / 1024.0);
            m.put(Result.RSS_DELTA_MIB, (rssAfter - rssBefore) / 1024.0);
            m.put(Result.HEAP_PER_CONN_B, (double) (heapAfter - heapBefore) / c.conns());
            load.closeInputAndWait(30_000);
            // Wait for the server to see the connections go, so a next case starts clean.
            long drain = System.nanoTime() + 30_000_000_000L;
            while (ProcStats.openFds(pid) > fdsBefore + 16 && System.nanoTime() < drain) {
                sleep(100);
            }
            return m;
        }
    }

    private static Map<String, String> keyValues(String line) throws IOException {
        if (line.startsWith("FAILED")) {
            throw new IOException("load generator: " + line);
        }
        Map<String, String> kv = new HashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                kv.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return kv;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void log(String line) {
        System.out.println(line);
        System.out.flush();
    }

    // ---- flags ----

    static Config parse(String... args) {
        boolean smoke = false;
        List<Path> jdks = new ArrayList<>();
        Integer rounds = null;
        Integer warmup = null;
        Integer measure = null;
        Integer idleConns = null;
        Set<String> cases = new LinkedHashSet<>();
        Path out = Path.of("gnetj-bench", "target", "e2e");
        Path docs = null;
        String serverCpus = null;
        String loadCpus = null;
        Integer loops = null;
        String classpath = null;
        boolean jfr = false;
        String jfrSettings = "profile";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--smoke": smoke = true; break;
                case "--jdk": jdks.add(Path.of(value(args, ++i, a))); break;
                case "--rounds": rounds = positive(args, ++i, a); break;
                case "--warmup": warmup = Integer.parseInt(value(args, ++i, a)); break;
                case "--measure": measure = positive(args, ++i, a); break;
                case "--idle-conns": idleConns = positive(args, ++i, a); break;
                case "--cases": cases.addAll(Arrays.asList(value(args, ++i, a).split(","))); break;
                case "--out": out = Path.of(value(args, ++i, a)); break;
                case "--docs": docs = Path.of(value(args, ++i, a)); break;
                case "--server-cpus": serverCpus = value(args, ++i, a); break;
                case "--load-cpus": loadCpus = value(args, ++i, a); break;
                case "--loops": loops = positive(args, ++i, a); break;
                case "--classpath": classpath = value(args, ++i, a); break;
                case "--jfr": jfr = true; break;
                case "--jfr-settings": jfrSettings = value(args, ++i, a); break;
                default: throw new IllegalArgumentException("unknown flag " + a + " (see the javadoc of " + Runner.class.getName() + ")");
            }
        }
        if (jdks.isEmpty()) {
            jdks.addAll(smoke ? List.of(Path.of(System.getProperty("java.home"))) : Machine.defaultJdks());
        }
        for (Path jdk : jdks) {
            if (!Files.isExecutable(jdk.resolve("bin/java"))) {
                throw new IllegalArgumentException("--jdk " + jdk + ": no bin/java there");
            }
        }
        boolean pin = Machine.cpus() >= 2 && Machine.hasTaskset();
        if (serverCpus == null && pin) {
            serverCpus = "1";
        }
        if (loadCpus == null && pin) {
            loadCpus = "0";
        }
        List<String> serverPin = serverCpus == null ? List.of() : List.of("taskset", "-c", serverCpus);
        List<String> loadPin = loadCpus == null ? List.of() : List.of("taskset", "-c", loadCpus);
        if (loops == null) {
            loops = serverCpus == null ? 1 : Machine.countCpus(serverCpus);
        }
        if (classpath == null) {
            // Under Surefire java.class.path is its booter jar; the real test class path is here.
            classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        }
        String command = System.getenv("E2E_COMMAND");
        if (command == null || command.isBlank()) {
            command = "java -cp gnetj-bench/target/gnetj-bench.jar " + Runner.class.getName() + " " + String.join(" ", args);
        }
        return new Config(smoke, List.copyOf(jdks),
                rounds != null ? rounds : smoke ? 1 : 3,
                warmup != null ? warmup : smoke ? 0 : 10,
                measure != null ? measure : smoke ? 1 : 10,
                idleConns != null ? idleConns : smoke ? 500 : 10_000,
                cases, out.toAbsolutePath(), docs == null ? null : docs.toAbsolutePath(), serverPin, loadPin, loops,
                classpath, jfr, jfrSettings, command.trim());
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static int positive(String[] args, int i, String flag) {
        int v = Integer.parseInt(value(args, i, flag));
        if (v <= 0) {
            throw new IllegalArgumentException(flag + " must be positive");
        }
        return v;
    }
}
