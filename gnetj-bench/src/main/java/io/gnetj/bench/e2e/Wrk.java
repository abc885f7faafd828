package io.gnetj.bench.e2e;

import io.gnetj.bench.host.ProcStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} against {@code GET /plaintext} and reads its report. One wrk thread (it has one
 * core), the headers TechEmpower's plaintext test sends, and with {@code depth > 1} the
 * {@code pipeline.lua} script that puts {@code depth} requests in every write.
 */
final class Wrk {

    /** What one wrk run reported, plus what the runner saw of it. */
    record Report(long requests, double seconds, double requestsPerSecond, long non2xx, long socketErrors,
                  double p50Micros, double p99Micros, double loadCpuPercent, long cpuTicks, String text) {
    }

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

    private Wrk() {
    }

    static boolean installed() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Writes the pipelining script where wrk can read it. */
    static Path script(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path lua = dir.resolve("pipeline.lua");
        try (InputStream in = Wrk.class.getResourceAsStream("pipeline.lua")) {
            if (in == null) {
                throw new IOException("pipeline.lua is missing from the class path");
            }
            Files.copy(in, lua, StandardCopyOption.REPLACE_EXISTING);
        }
        return lua;
    }

    static Report run(List<String> pinning, int port, int connections, int depth, int seconds, Path script)
            throws IOException {
        List<String> cmd = new ArrayList<>(pinning);
        cmd.addAll(List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--timeout", "8s",
                "-H", "Host: localhost",
                "-H", "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7",
                "-H", "Connection: keep-alive"));
        if (depth > 1) {
            cmd.addAll(List.of("-s", script.toString()));
        } else {
            cmd.add("--latency");
        }
        cmd.add("http://127.0.0.1:" + port + "/plaintext");
        if (depth > 1) {
            cmd.addAll(List.of("--", Integer.toString(depth)));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long start = System.nanoTime();
        long lastTicks = 0;
        long lastAt = start;
        // Sample wrk's CPU time while it runs: once it has exited /proc no longer has it.
        try {
            while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
                long ticks = ProcStats.cpuTicks(p.pid());
                if (ticks >= 0) {
                    lastTicks = ticks;
                    lastAt = System.nanoTime();
                }
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(seconds + 60L)) {
                    p.destroyForcibly();
                    throw new IOException("wrk did not finish within " + (seconds + 60) + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("wrk exited with " + p.exitValue() + ":\n" + out);
        }
        Matcher m = REQUESTS.matcher(out);
        Matcher rps = RPS.matcher(out);
        if (!m.find() || !rps.find()) {
            throw new IOException("cannot read wrk's report:\n" + out);
        }
        long requests = Long.parseLong(m.group(1));
        double elapsed = seconds(Double.parseDouble(m.group(2)), m.group(3));
        long non2xx = 0;
        Matcher n = NON_2XX.matcher(out);
        if (n.find()) {
            non2xx = Long.parseLong(n.group(1));
        }
        long socketErrors = 0;
        Matcher se = SOCKET_ERRORS.matcher(out);
        if (se.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(se.group(g));
            }
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher pm = PERCENTILE.matcher(out);
        while (pm.find()) {
            double us = seconds(Double.parseDouble(pm.group(2)), pm.group(3)) * 1e6;
            if (pm.group(1).equals("50")) {
                p50 = us;
            } else {
                p99 = us;
            }
        }
        double cpuSeconds = (double) lastTicks / ProcStats.CLOCK_TICKS_PER_SECOND;
        double wall = (lastAt - start) / 1e9;
        double loadCpu = wall > 0 ? 100.0 * cpuSeconds / wall : Double.NaN;
        return new Report(requests, elapsed, Double.parseDouble(rps.group(1)), non2xx, socketErrors, p50, p99,
                loadCpu, lastTicks, out);
    }

    private static double seconds(double value, String unit) {
        switch (unit.toLowerCase(Locale.ROOT)) {
            case "us": return value / 1e6;
            case "ms": return value / 1e3;
            case "m": return value * 60;
            default: return value;
        }
    }
}
