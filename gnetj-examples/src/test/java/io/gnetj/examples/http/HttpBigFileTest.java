package io.gnetj.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.ExternalClient.Result;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.http.RawHttp.Response;
import io.gnetj.examples.tls.SelfSignedCertificate;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 256 MiB file through curl, plaintext and TLS: byte-identical, while the server's pooled memory
 * and heap stay flat and its single loop keeps answering other connections.
 */
class HttpBigFileTest {

    private static final long SIZE = 256L << 20;
    /** Pooled memory the server may hold while sending: headers, inbound, TLS records and its 16 KiB chunk. */
    private static final long MAX_POOLED = 1L << 20;
    /** Heap growth allowed (after GC): far below the file, which must never be read into the heap. */
    private static final long MAX_HEAP_GROWTH = 64L << 20;
    /** A small request on another connection, while the big file is on its way (one loop serves both). */
    private static final long MAX_SMALL_REQUEST_MILLIS = 2_000;
    private static final Duration CURL_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path tmp;
    private static Path root;
    private static String sha256;

    @BeforeAll
    static void bigFile() throws Exception {
        root = Files.createDirectories(tmp.resolve("www")).toRealPath();
        Files.writeString(root.resolve("small.txt"), "small\n");
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(14);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(root.resolve("big.bin"))) {
            for (long written = 0; written < SIZE; written += block.length) {
                for (int i = 0; i < block.length; i += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8; k++) {
                        block[i + k] = (byte) (v >>> (k * 8));
                    }
                }
                digest.update(block);
                out.write(block);
            }
        }
        sha256 = HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void plaintextCurlGetsTheWholeFileWhileMemoryStaysFlat() throws Exception {
        download(false);
    }

    @Test
    void tlsCurlGetsTheWholeFileWhileMemoryStaysFlat() throws Exception {
        download(true);
    }

    private static void download(boolean tls) throws Exception {
        ExternalClient.require("curl", "curl");
        BufferPool pool = BufferPool.create();
        List<String> flags = new ArrayList<>(List.of("root", root.toString(), "loops", "1"));
        if (tls) {
            flags.addAll(List.of("tls", "true"));
        }
        try (RunningServer server = RunningServer.start(new HttpExample(), b -> b.bufferPool(pool),
                flags.toArray(new String[0]))) {
            Path out = tmp.resolve(tls ? "tls.bin" : "plain.bin");
            List<String> curl = new ArrayList<>(List.of("curl", "-s", "-S", "--http1.1", "--max-time", "100",
                    "--limit-rate", "200M", "-o", out.toString(), "-w", "%{http_code} %{size_download}"));
            if (tls) {
                curl.addAll(List.of("--cacert", SelfSignedCertificate.localhost().certificatePem().toString(),
                        "https://localhost:" + server.port() + "/big.bin"));
            } else {
                curl.add("http://127.0.0.1:" + server.port() + "/big.bin");
            }
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            long heapBefore = memory.getHeapMemoryUsage().getUsed();

            CompletableFuture<Result> download = CompletableFuture.supplyAsync(() -> {
                try {
                    return ExternalClient.run(CURL_TIMEOUT, curl);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long maxPooled = 0;
            long maxHeapGrowth = 0;
            long slowestSmall = 0;
            int samples = 0;
            long deadline = System.nanoTime() + CURL_TIMEOUT.toNanos();
            while (!download.isDone()) {
                assertThat(System.nanoTime() - deadline).as("curl still running after %s", CURL_TIMEOUT).isNegative();
                maxPooled = Math.max(maxPooled, pool.inUseBytes());
                if (samples++ % 5 == 0) {
                    System.gc();
                    maxHeapGrowth = Math.max(maxHeapGrowth, memory.getHeapMemoryUsage().getUsed() - heapBefore);
                    slowestSmall = Math.max(slowestSmall, smallRequestMillis(server, tls));
                }
                try {
                    download.get(50, TimeUnit.MILLISECONDS); // the sampling interval
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    // sample again
                }
            }
            Result r = download.get();
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).isEqualTo("200 " + SIZE);
            assertThat(sha256(out)).as("SHA-256 of what curl saved").isEqualTo(sha256);
            assertThat(samples).as("samples taken during the transfer").isGreaterThan(1);
            System.out.printf("%s: %d samples, pooled max %d B, heap growth max %d B, slowest small request %d ms%n",
                    tls ? "tls" : "plaintext", samples, maxPooled, maxHeapGrowth, slowestSmall);
            assertThat(maxPooled).as("pooled bytes in use during the transfer").isLessThan(MAX_POOLED);
            assertThat(maxHeapGrowth).as("heap growth (after GC) during the transfer").isLessThan(MAX_HEAP_GROWTH);
            assertThat(slowestSmall).as("ms for a small file on the same loop during the transfer")
                    .isLessThan(MAX_SMALL_REQUEST_MILLIS);
            Files.delete(out);
        }
    }

    /** Milliseconds to fetch a small file on a new connection (plaintext only: TLS would time a handshake). */
    private static long smallRequestMillis(RunningServer server, boolean tls) throws Exception {
        if (tls) {
            return 0;
        }
        long start = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /small.txt HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Response r = RawHttp.read(s.getInputStream(), false);
            assertThat(r.text()).isEqualTo("small\n");
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
