package io.gnetj.examples.attack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * "Too many open files": the echo example in a child JVM started under {@code ulimit -n 64}. The
 * test connects until the server's accept fails with EMFILE, then checks that the server backs
 * off instead of spinning (its CPU time over 2 s, from {@code /proc/<pid>/stat}, well below one
 * core), logs the condition at most once a second, and keeps running: once descriptors free up,
 * the connections waiting in the backlog are accepted and served.
 */
class TooManyOpenFilesTest {

    private static final int FD_LIMIT = 64;
    private static final int CLIENTS = 80;
    /** Share of one core the server may use while accept keeps failing. */
    private static final double MAX_CORE_SHARE = 0.25;

    @Test
    void acceptUnderEmfileBacksOffLogsRarelyAndRecovers() throws Exception {
        Path stat = Path.of("/proc/self/stat");
        Assumptions.assumeTrue(Files.isReadable(stat) && new File("/bin/bash").canExecute(),
                "needs Linux /proc and bash");
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = childClassPath();
        String command = "ulimit -n " + FD_LIMIT + " && exec '" + java + "' -Xmx64m -XX:+UseSerialGC"
                + " -XX:TieredStopAtLevel=1 -cp '" + classPath + "' io.gnetj.examples.Main echo --port 0 --loops 1";
        Process child = new ProcessBuilder("/bin/bash", "-c", command).start();
        List<Long> acceptFailedLines = new CopyOnWriteArrayList<>();
        List<String> stderrTail = new CopyOnWriteArrayList<>();
        Thread stderr = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.contains("accept failed")) {
                        acceptFailedLines.add(System.nanoTime());
                    }
                    if (stderrTail.size() < 200) {
                        stderrTail.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the child ended
            }
        }, "emfile-child-stderr");
        stderr.setDaemon(true);
        stderr.start();
        List<Socket> clients = new ArrayList<>();
        try {
            int port;
            try {
                port = listeningPort(child);
            } catch (AssertionError e) {
                stderr.join(5_000);
                throw new AssertionError(e.getMessage() + "; its stderr: " + stderrTail, e);
            }
            long pid = child.pid();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(Attack.connect(port)); // the kernel completes the handshake; accept may not
            }
            Attack.await("the server's accept fails with EMFILE (stderr: " + stderrTail + ")", Attack.WAIT,
                    () -> !acceptFailedLines.isEmpty());
            // Which connections did the server take? Those that echo.
            List<Socket> served = new ArrayList<>();
            List<Socket> waiting = new ArrayList<>();
            for (Socket s : clients) {
                (echoes(s, Duration.ofMillis(300)) ? served : waiting).add(s);
            }
            assertThat(served).as("connections served under the limit").isNotEmpty();
            assertThat(waiting).as("connections left in the backlog by EMFILE").isNotEmpty();

            // While accept keeps failing: CPU time over a 2 s window, and the log rate over 3 s.
            long ticksBefore = cpuTicks(pid);
            long windowStart = System.nanoTime();
            TimeUnit.SECONDS.sleep(2); // the measuring window, not synchronisation
            long ticks = cpuTicks(pid) - ticksBefore;
            double seconds = (System.nanoTime() - windowStart) / 1e9;
            double coreShare = ticks / 100.0 / seconds; // USER_HZ is 100 on Linux
            TimeUnit.SECONDS.sleep(1);
            long windowEnd = System.nanoTime();
            long linesInWindow = acceptFailedLines.stream().filter(t -> t >= windowStart && t <= windowEnd).count();
            double windowSeconds = (windowEnd - windowStart) / 1e9;

            // Free descriptors: the served clients leave, and the waiting ones must now be served.
            for (Socket s : served) {
                s.close();
            }
            int recovered = 0;
            for (Socket s : waiting) {
                if (echoes(s, Duration.ofSeconds(10))) {
                    recovered++;
                }
                if (recovered >= Math.min(5, waiting.size())) {
                    break;
                }
            }
            System.out.printf("EMFILE: child under ulimit -n %d served %d connections, %d waited in the backlog;"
                            + " while accept failed it used %.1f%% of a core and logged %d 'accept failed' lines in"
                            + " %.1f s; after %d clients left, %d waiting connections were served%n",
                    FD_LIMIT, served.size(), waiting.size(), coreShare * 100, linesInWindow, windowSeconds,
                    served.size(), recovered);
            assertThat(child.isAlive()).as("the server still runs").isTrue();
            assertThat(coreShare).as("share of a core used while accept fails").isLessThan(MAX_CORE_SHARE);
            assertThat(linesInWindow).as("'accept failed' lines logged in %.1f s", windowSeconds)
                    .isLessThanOrEqualTo((long) Math.ceil(windowSeconds) + 1);
            assertThat(recovered).as("waiting connections served once descriptors freed up").isPositive();
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            child.destroy();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    /**
     * What the echo example needs, with gnetj's class directories packed into one jar, as it is
     * deployed: a JVM loads a class from a directory by opening its file, which fails under EMFILE,
     * while a jar stays open once read.
     */
    private static String childClassPath() throws IOException {
        Path jar = Files.createTempFile("gnetj-emfile", ".jar");
        jar.toFile().deleteOnExit();
        List<String> entries = new ArrayList<>();
        entries.add(jar.toString());
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(e);
                if (Files.isDirectory(p) && e.contains("gnetj") && !e.contains("test-classes")) {
                    try (java.util.stream.Stream<Path> files = Files.walk(p)) {
                        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                            String name = p.relativize(f).toString().replace(File.separatorChar, '/');
                            if (seen.add(name)) {
                                out.putNextEntry(new java.util.jar.JarEntry(name));
                                Files.copy(f, out);
                                out.closeEntry();
                            }
                        }
                    }
                } else if (e.endsWith(".jar") && (e.contains("jctools") || e.contains("jackson")
                        || (e.contains("gnetj") && !e.contains("tests")))) {
                    entries.add(e);
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Reads the child's "echo listening on tcp://127.0.0.1:PORT" line. */
    private static int listeningPort(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Attack.WAIT.toNanos();
        Pattern listening = Pattern.compile("listening on tcp://[^:]+:(\\d+)");
        while (System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) {
                throw new AssertionError("the child ended before listening, exit " + child.waitFor());
            }
            Matcher m = listening.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("the child did not listen within " + Attack.WAIT);
    }

    /** Whether one byte sent on {@code s} comes back within {@code within}. */
    private static boolean echoes(Socket s, Duration within) throws IOException {
        s.setSoTimeout((int) within.toMillis());
        s.getOutputStream().write('e');
        try {
            return s.getInputStream().read() == 'e';
        } catch (java.net.SocketTimeoutException notAccepted) {
            return false;
        } finally {
            s.setSoTimeout((int) Attack.WAIT.toMillis());
        }
    }

    /** utime + stime of {@code pid}, in clock ticks, from /proc/pid/stat. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15 of the whole line
    }
}
