package io.gnetj.bench.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What Linux's {@code /proc} says about a process: CPU time, resident memory, open descriptors.
 *
 * <p>Threading: stateless; any thread.
 */
public final class ProcStats {

    /** {@code USER_HZ}: the unit of {@code utime}/{@code stime}; 100 on every Linux ABI in use. */
    public static final int CLOCK_TICKS_PER_SECOND = 100;

    private ProcStats() {
    }

    /** {@code utime + stime} of every thread of {@code pid}, in clock ticks; -1 if the process is gone. */
    public static long cpuTicks(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return -1;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count fields
        // from the last ')'. utime and stime are fields 14 and 15, the 12th and 13th after it.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** {@code VmRSS} of {@code pid} in KiB; -1 if the process is gone. */
    public static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** Open file descriptors of {@code pid}; -1 if the process is gone. */
    public static long openFds(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /**
     * CPU time spent by the whole machine, every CPU, outside idle and I/O wait ({@code user + nice
     * + system + steal} of {@code /proc/stat}'s first line), in clock ticks; -1 if unreadable.
     */
    public static long machineBusyTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0);
            String[] f = first.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[8]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@code true} when {@code /proc} can be read (Linux). */
    public static boolean available() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }
}
