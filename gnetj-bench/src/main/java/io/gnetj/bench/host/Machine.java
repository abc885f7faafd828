package io.gnetj.bench.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a benchmark report says about the machine and the JDKs, and the defaults that depend on
 * them; shared by the end-to-end runner and the memory probe.
 */
public final class Machine {

    private Machine() {
    }

    /** A JDK found at {@code home}; {@code label} is its version, e.g. {@code 17.0.15}. */
    public record Jdk(Path home, int major, String label, String description) {
    }

    /** The JDK at {@code home}, described from its {@code release} file. */
    public static Jdk jdk(Path home) {
        String version = releaseValue(home, "JAVA_VERSION");
        String runtime = releaseValue(home, "JAVA_RUNTIME_VERSION");
        String implementor = releaseValue(home, "IMPLEMENTOR");
        if (version == null) {
            version = home.getFileName().toString();
        }
        int major;
        try {
            major = Integer.parseInt(version.split("[.+-]")[0]);
        } catch (NumberFormatException e) {
            major = 0;
        }
        String description = (implementor != null ? implementor + " " : "") + (runtime != null ? runtime : version);
        return new Jdk(home, major, version, description);
    }

    private static String releaseValue(Path home, String key) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"), StandardCharsets.UTF_8)) {
                if (line.startsWith(key + "=")) {
                    return line.substring(key.length() + 1).replace("\"", "").trim();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** The newest JDK 17 and the newest JDK of any other major version under /usr/lib/jvm. */
    public static List<Path> defaultJdks() {
        List<Jdk> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(Path.of("/usr/lib/jvm"))) {
            dirs.filter(d -> Files.isExecutable(d.resolve("bin/java")) && !Files.isSymbolicLink(d))
                    .map(Machine::jdk)
                    .forEach(found::add);
        } catch (IOException e) {
            // none there
        }
        found.sort(Comparator.comparingInt(Jdk::major).thenComparing(Jdk::label));
        List<Path> out = new ArrayList<>();
        found.stream().filter(j -> j.major() == 17).reduce((a, b) -> b).ifPresent(j -> out.add(j.home()));
        found.stream().filter(j -> j.major() > 17).reduce((a, b) -> b).ifPresent(j -> out.add(j.home()));
        if (out.isEmpty()) {
            out.add(Path.of(System.getProperty("java.home")));
        }
        return out;
    }

    /**
     * CPUs online on the machine. Not {@link Runtime#availableProcessors()}: the runner may itself
     * be pinned to one CPU, and it pins the others.
     */
    public static int cpus() {
        try {
            return countCpus(Files.readString(Path.of("/sys/devices/system/cpu/online")).trim());
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** Whether {@code taskset} can run here. */
    public static boolean hasTaskset() {
        return run("taskset", "-V") != null;
    }

    /** CPUs in a taskset list such as {@code 1}, {@code 2-3} or {@code 1,3}. */
    public static int countCpus(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            String[] range = part.trim().split("-");
            n += range.length == 1 ? 1 : Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
        }
        return n;
    }

    /** {@code /proc/loadavg}'s three averages. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** One line: CPU model, CPUs, memory, kernel. */
    public static String describe() {
        String model = "?";
        String memory = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.substring(9).trim().split("\\s+")[0]);
                    memory = String.format(Locale.ROOT, "%.0f GiB RAM", kib / 1024.0 / 1024.0);
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // leave what is unknown as "?"
        }
        String kernel = run("uname", "-r");
        boolean vm = Files.exists(Path.of("/sys/hypervisor")) || cpuFlag("hypervisor");
        return (vm ? "virtual machine, " : "") + cpus() + " CPUs (" + model + "), " + memory
                + ", Linux " + (kernel == null ? "?" : kernel.trim());
    }

    private static boolean cpuFlag(String flag) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return (" " + line + " ").contains(" " + flag + " ");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** {@code wrk}'s version line, or "not installed". */
    public static String wrkVersion() {
        String v = run("wrk", "--version");
        return v == null ? "not installed" : v.lines().findFirst().orElse("?").replaceAll("\\s+Copyright.*", "").trim();
    }

    private static String revision;

    /**
     * The gnetj revision being measured, as "`abc1234`", "`abc1234` with local changes" or
     * "unknown". Read on the first call and remembered: the runner calls it before the first
     * server starts, because the jar was built from the tree as it was then, and edits made while
     * a run goes on are not in it.
     */
    public static synchronized String revision() {
        if (revision == null) {
            String head = run("git", "rev-parse", "--short", "HEAD");
            String dirty = run("git", "status", "--porcelain", "--untracked-files=no");
            revision = head == null || head.isBlank() || head.contains("fatal") ? "unknown"
                    : "`" + head.trim() + "`" + (dirty != null && !dirty.isBlank() ? " with local changes" : "");
        }
        return revision;
    }

    /** Runs a short command; its output, or {@code null} if it cannot run. */
    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
