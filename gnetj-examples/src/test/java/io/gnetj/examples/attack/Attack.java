package io.gnetj.examples.attack;

import io.gnetj.GnetException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Helpers of the hostile-client tests: loopback sockets, bounded waits, latency figures. */
final class Attack {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final byte[] GET_PLAINTEXT = ascii("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");

    private Attack() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A blocking loopback socket with a read timeout. */
    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout((int) WAIT.toMillis());
            s.setTcpNoDelay(true);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Closes {@code s} with a reset (RST) instead of a FIN: no TIME_WAIT left behind. */
    static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        s.close();
    }

    /** Sends {@code GET /plaintext} on a kept-alive socket and reads its whole response; returns the nanoseconds it took. */
    static long getPlaintext(Socket s) throws IOException {
        long start = System.nanoTime();
        OutputStream out = s.getOutputStream();
        out.write(GET_PLAINTEXT);
        out.flush();
        String response = readHttpResponse(s.getInputStream());
        if (!response.startsWith("HTTP/1.1 200 ") || !response.endsWith("Hello, World!")) {
            throw new IOException("unexpected response: " + response);
        }
        return System.nanoTime() - start;
    }

    /** Reads one response framed by Content-Length (every response of the http example is). */
    static String readHttpResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF inside a response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int i = h.indexOf("Content-Length: ");
        int length = Integer.parseInt(h.substring(i + 16, h.indexOf('\r', i)));
        byte[] body = in.readNBytes(length);
        return h + new String(body, StandardCharsets.ISO_8859_1);
    }

    /** Reads until EOF (or a reset, which also ends the stream); returns what came. */
    static byte[] readUntilClosed(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int r; (r = in.read(chunk)) >= 0; ) {
                out.write(chunk, 0, r);
            }
        } catch (IOException reset) {
            // closed by a reset: what came before still counts
        }
        return out.toByteArray();
    }

    /** Polls {@code condition} until true or {@code bound} passes; fails with {@code what}. */
    static void await(String what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + bound.toMillis() + " ms waiting for: " + what);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }

    /** The file descriptors this JVM may open ({@code ulimit -n}), or -1 if unknown. */
    static long maxFileDescriptors() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
            return ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** Latency samples in nanoseconds. Threading: one thread adds, any reads after it joined. */
    static final class Latencies {
        private long[] samples = new long[1024];
        private int count;

        void add(long nanos) {
            if (count == samples.length) {
                samples = Arrays.copyOf(samples, count * 2);
            }
            samples[count++] = nanos;
        }

        int count() {
            return count;
        }

        /** Nearest-rank percentile in milliseconds. */
        double percentileMillis(double p) {
            if (count == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(samples, count);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(p / 100.0 * count);
            return sorted[Math.max(0, Math.min(count, rank) - 1)] / 1e6;
        }

        double maxMillis() {
            return percentileMillis(100);
        }

        @Override
        public String toString() {
            return String.format("%d requests: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                    count, percentileMillis(50), percentileMillis(99), maxMillis());
        }
    }

    /**
     * Captures what the engine logs at WARNING or worse through {@code System.Logger} (backed by
     * java.util.logging here) and tells apart a verdict on bad input (a {@link GnetException},
     * logged as one line) from a handler or engine bug (anything else thrown).
     */
    static final class EngineLog extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("io.gnetj");
        private final List<String> unexpected = new ArrayList<>();
        private final AtomicInteger records = new AtomicInteger();

        EngineLog() {
            logger.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            records.incrementAndGet();
            if (record.getLevel().intValue() < Level.WARNING.intValue()) {
                return;
            }
            Throwable t = record.getThrown();
            String text = record.getMessage();
            boolean expected = t == null ? !text.contains("threw") && !text.contains("failed")
                    : t instanceof GnetException || t instanceof IOException;
            if (!expected && unexpected.size() < 20) {
                unexpected.add(record.getLevel() + " " + text + (t == null ? "" : ": " + t));
            }
        }

        /** WARNING or worse records that name a bug rather than bad input. */
        synchronized List<String> unexpected() {
            return new ArrayList<>(unexpected);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
