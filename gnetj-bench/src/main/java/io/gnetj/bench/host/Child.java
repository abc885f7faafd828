package io.gnetj.bench.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process spoken to by lines: its standard output is read by a daemon thread into a
 * queue the parent polls with a deadline, its standard error goes to a log file (never to the
 * parent's own output), and commands go to its standard input.
 *
 * <p>Threading: one thread of the parent uses it; the reader thread only fills the queue.
 */
public final class Child implements AutoCloseable {

    private static final String EOF = "\u0000EOF";

    private final String name;
    private final Process process;
    private final Path log;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** The last stdout lines {@link #await} skipped: a JVM that cannot start says why there. */
    private final java.util.ArrayDeque<String> skipped = new java.util.ArrayDeque<>();

    private Child(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        Thread reader = new Thread(this::readStdout, "stdout-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command}, its standard error going to {@code log}. */
    public static Child start(String name, List<String> command, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()));
        return new Child(name, pb.start(), log);
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // the process went away; EOF below says so
        }
        lines.add(EOF);
    }

    /** The process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The name given at start, for messages. */
    public String name() {
        return name;
    }

    /**
     * Waits for the next line starting with one of {@code prefixes}, skipping others.
     *
     * @throws IOException naming the child and the tail of its log if it ends or times out first
     */
    public String await(long timeoutMillis, String... prefixes) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            String line;
            try {
                line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for " + name);
            }
            if (line == null) {
                throw new IOException(name + ": no " + String.join("/", prefixes) + " line within "
                        + timeoutMillis + " ms" + logTail());
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                throw new IOException(name + " ended before printing " + String.join("/", prefixes)
                        + (skipped.isEmpty() ? "" : "; it printed:\n  " + String.join("\n  ", skipped)) + logTail());
            }
            for (String p : prefixes) {
                if (line.startsWith(p)) {
                    return line;
                }
            }
            skipped.addLast(line);
            if (skipped.size() > 10) {
                skipped.removeFirst();
            }
        }
    }

    /** Sends one command line. */
    public void send(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
    }

    /** Sends a command and returns the answer line starting with {@code answerPrefix}. */
    public String ask(String command, String answerPrefix, long timeoutMillis) throws IOException {
        send(command);
        return await(timeoutMillis, answerPrefix, "ERROR");
    }

    /** Closes its standard input (a polite "go away") and waits up to {@code millis} for it to end. */
    public boolean closeInputAndWait(long millis) {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            return process.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last lines of its log, as a suffix for an error message. */
    public String logTail() {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = all.subList(Math.max(0, all.size() - 15), all.size());
            return tail.isEmpty() ? " (its log " + log + " is empty)" : "; last lines of " + log + ":\n  " + String.join("\n  ", tail);
        } catch (IOException e) {
            return " (log " + log + " unreadable)";
        }
    }

    /**
     * Ends it with {@code SIGTERM}, so its shutdown hooks run (a server that reads no commands
     * stops this way), and by force if it lingers past {@code graceMillis}.
     *
     * @return whether it is gone
     */
    public boolean terminate(long graceMillis) {
        process.destroy();
        try {
            if (process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                return true;
            }
            return process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return !process.isAlive();
        }
    }

    /** Asks it to quit, then ends it by force if it lingers. */
    @Override
    public void close() {
        try {
            send("quit");
        } catch (IOException ignored) {
            // already gone
        }
        if (!closeInputAndWait(10_000)) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
