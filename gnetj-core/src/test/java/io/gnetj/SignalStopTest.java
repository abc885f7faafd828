package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Gnet#run}/{@link Gnet#rotate} stop the engine on SIGTERM and SIGINT: a child JVM serving
 * a unix socket and a TCP port, with a client on each, gets the signal and must run every
 * {@code onClose} and {@code onShutdown}, remove its socket file and exit promptly. And the hook
 * does not outlive an engine stopped otherwise.
 */
class SignalStopTest {

    /** From the signal to the child's exit: the stop itself is immediate with quiet clients. */
    private static final long EXIT_BOUND_SECONDS = 5;

    @TempDir
    Path dir;

    @Test
    void sigtermStopsTheEngineGracefullyAndTheProcessExits() throws Exception {
        signalStops("TERM");
    }

    @Test
    void sigintStopsTheEngineGracefullyAndTheProcessExits() throws Exception {
        signalStops("INT");
    }

    private void signalStops(String signal) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows"), "POSIX signals");
        Path socketFile = dir.resolve("s.sock");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), SignalStopMain.class.getName(), socketFile.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> outputEnded = CompletableFuture.runAsync(() -> readLines(child, lines));
        try {
            String boot = awaitLine(lines, l -> l.startsWith("BOOT tcp="), "the child's BOOT line");
            int port = Integer.parseInt(boot.substring("BOOT tcp=".length()).trim());
            try (Socket tcp = TestServers.connect(new java.net.InetSocketAddress("127.0.0.1", port));
                 SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                unix.connect(UnixDomainSocketAddress.of(socketFile));
                awaitCount(lines, "OPEN", 2);
                assertThat(Files.exists(socketFile)).as("socket file while serving").isTrue();

                long signalled = System.nanoTime();
                if (signal.equals("TERM")) {
                    // SIGTERM on POSIX. Not Process.destroy(): it also closes our end of the
                    // child's stdout, and the markers printed after the signal would be lost.
                    assertThat(child.toHandle().destroy()).as("SIGTERM sent").isTrue();
                } else {
                    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).inheritIO().start();
                    assertThat(kill.waitFor(EXIT_BOUND_SECONDS, TimeUnit.SECONDS)).as("kill -INT ran").isTrue();
                }
                assertThat(child.waitFor(EXIT_BOUND_SECONDS, TimeUnit.SECONDS))
                        .as("child exited within " + EXIT_BOUND_SECONDS + " s of SIG" + signal + "; its output: " + lines)
                        .isTrue();
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                outputEnded.get(EXIT_BOUND_SECONDS, TimeUnit.SECONDS);

                assertThat(lines).as("child output (exit after " + tookMillis + " ms): " + lines)
                        .filteredOn(l -> l.startsWith("CLOSE")).containsExactly("CLOSE cause=null", "CLOSE cause=null");
                assertThat(lines).as("child output").containsOnlyOnce("SHUTDOWN");
                assertThat(lines.indexOf("SHUTDOWN")).as("onShutdown after every onClose")
                        .isGreaterThan(lines.lastIndexOf("CLOSE cause=null"));
                assertThat(Files.exists(socketFile)).as("socket file after the signal").isFalse();
                assertThat(child.exitValue()).as("exit status (128 + signal)").isEqualTo(signal.equals("TERM") ? 143 : 130);
                assertThat(tcp.getInputStream().read()).as("the TCP client sees EOF").isEqualTo(-1);
                assertThat(unix.read(ByteBuffer.allocate(1))).as("the unix client sees EOF").isEqualTo(-1);
            }
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
                child.waitFor(EXIT_BOUND_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private static void readLines(Process child, List<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (java.io.IOException e) {
            lines.add("(reading the child's output failed: " + e + ")");
        }
    }

    private static String awaitLine(List<String> lines, Predicate<String> match, String what) {
        TestServers.await(what + "; output so far: " + lines, () -> lines.stream().anyMatch(match));
        return lines.stream().filter(match).findFirst().orElseThrow();
    }

    private static void awaitCount(List<String> lines, String line, int n) {
        TestServers.await(n + " x " + line + "; output so far: " + lines,
                () -> lines.stream().filter(line::equals).count() >= n);
    }

    @Test
    void theHookIsRemovedWhenTheEngineStopsOtherwise() throws Exception {
        int before = StopOnSignal.live();
        for (boolean stopOnSignal : new boolean[] {true, false}) {
            CompletableFuture<Engine> booted = new CompletableFuture<>();
            Thread runner = new Thread(() -> {
                try {
                    Gnet.run(new EventHandler() {
                        @Override
                        public Action onBoot(Engine engine) {
                            booted.complete(engine);
                            return Action.NONE;
                        }
                    }, "tcp://127.0.0.1:0", Options.builder().stopOnSignal(stopOnSignal).build());
                } catch (Throwable t) {
                    booted.completeExceptionally(t);
                }
            }, "signal-test-run");
            runner.start();
            Engine engine = booted.get(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            int expected = before + (stopOnSignal ? 1 : 0);
            TestServers.await("hooks installed: " + expected, () -> StopOnSignal.live() == expected);
            engine.stop();
            runner.join(TestServers.WAIT.toMillis());
            assertThat(runner.isAlive()).as("Gnet.run returned after stop").isFalse();
            assertThat(StopOnSignal.live()).as("hooks left after the engine stopped").isEqualTo(before);
        }
    }
}
