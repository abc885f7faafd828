package io.gnetj.examples;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs real client programs (curl, wrk, redis-cli, redis-benchmark) as bounded processes.
 *
 * <p>A missing program skips the test with the Debian package that provides it, except under
 * {@code CI=true}, where it fails the test: CI must not pass by skipping.
 */
public final class ExternalClient {

    private ExternalClient() {
    }

    /** What a finished process printed. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Skips (or under CI fails) unless {@code program} is on the PATH. */
    public static void require(String program, String debianPackage) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                File f = new File(dir, program);
                if (f.isFile() && f.canExecute()) {
                    return;
                }
            }
        }
        String message = program + " not found on PATH; install the Debian package '" + debianPackage
                + "' (apt-get install -y " + debianPackage + ")";
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " - required when CI=true");
        }
        Assumptions.abort(message);
    }

    /**
     * Runs {@code command}, waiting at most {@code timeout}; a process still running then is killed
     * and the test fails. Output goes through files, so a chatty process cannot block on a pipe.
     */
    public static Result run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("client-out", ".txt");
        Path err = Files.createTempFile("client-err", ".txt");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail(command.get(0) + " did not finish within " + timeout + ": " + String.join(" ", command)
                        + "\nstdout: " + Files.readString(out, StandardCharsets.ISO_8859_1)
                        + "\nstderr: " + Files.readString(err, StandardCharsets.ISO_8859_1));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                    Files.readString(err, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
