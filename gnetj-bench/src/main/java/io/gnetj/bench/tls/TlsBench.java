package io.gnetj.bench.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS handshakes/s and TLS HTTP requests/s, gnetj beside Netty's {@code SslHandler}, both on the
 * JDK's {@code SSLEngine}, TLS 1.3, {@value #SUITE}, an EC P-256 certificate made by keytool.
 *
 * <pre>
 * java -cp gnetj-bench/target/gnetj-bench.jar io.gnetj.bench.tls.TlsBench [--seconds 10] [--warmup 5]
 *      [--clients 8] [--loops 2] [--servers gnetj,gnetj-inline,netty]
 * </pre>
 *
 * <p>Each server runs in its own JVM ({@link TlsServer}); the load comes from this JVM's JDK
 * {@code SSLSocket} clients:
 * <ul>
 *   <li><b>handshakes/s</b>: each client connects, completes a full handshake (its session is
 *       invalidated, so nothing is resumed), sends one request, reads the response, closes (with
 *       {@code SO_LINGER 0}, so the run leaves no {@code TIME_WAIT} behind);
 *   <li><b>requests/s</b>: each client keeps one connection and sends a request once the previous
 *       response came (no pipelining).
 * </ul>
 * Client and server share the machine, so the figures compare the servers under the same load;
 * they are not the servers' limits.
 */
public final class TlsBench {

    static final String SUITE = "TLS_AES_128_GCM_SHA256";

    private TlsBench() {
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new LinkedHashMap<>(Map.of("seconds", "10", "warmup", "5", "clients", "8",
                "loops", "2", "servers", "gnetj,gnetj-inline,netty"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--") || !flags.containsKey(args[i].substring(2))) {
                throw new IllegalArgumentException("unknown flag " + args[i] + "; flags: " + flags.keySet());
            }
            flags.put(args[i].substring(2), args[i + 1]);
        }
        int seconds = Integer.parseInt(flags.get("seconds"));
        int warmup = Integer.parseInt(flags.get("warmup"));
        int clients = Integer.parseInt(flags.get("clients"));
        int loops = Integer.parseInt(flags.get("loops"));
        Path dir = Files.createTempDirectory("gnetj-tls-bench");
        Path keyStore = dir.resolve("server.p12");
        String password = "bench-" + System.nanoTime();
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", keyStore.toString(),
                "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
        SSLSocketFactory factory = clientContext(keyStore, password.toCharArray()).getSocketFactory();
        System.out.printf("TLS 1.3 %s, EC P-256, JDK %s, %d cores, %d client threads, %d server loops, %d s (+%d s warm-up)%n",
                SUITE, Runtime.version(), Runtime.getRuntime().availableProcessors(), clients, loops, seconds, warmup);
        List<String> rows = new ArrayList<>();
        for (String kind : flags.get("servers").split(",")) {
            Process server = startServer(kind, loops, keyStore, password);
            try {
                int port = awaitReady(server, kind);
                double handshakes = measure(factory, port, clients, warmup, seconds, true);
                double requests = measure(factory, port, clients, warmup, seconds, false);
                rows.add(String.format("| %s | %,.0f | %,.0f |", kind, handshakes, requests));
                System.out.println(rows.get(rows.size() - 1));
            } finally {
                server.destroy();
                if (!server.waitFor(10, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
        }
        System.out.println();
        System.out.println("| server | handshakes/s | requests/s (keep-alive) |");
        System.out.println("|---|---:|---:|");
        rows.forEach(System.out::println);
        Files.deleteIfExists(keyStore);
        Files.deleteIfExists(dir);
    }

    private static double measure(SSLSocketFactory factory, int port, int clients, int warmup, int seconds,
                                  boolean handshakes) throws Exception {
        LongAdder done = new LongAdder();
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long[] atMeasureStart = new long[1];
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    if (handshakes) {
                        handshakeLoop(factory, port, end, done);
                    } else {
                        requestLoop(factory, port, end, done);
                    }
                    return null;
                }));
            }
            while (System.nanoTime() < measureFrom) {
                Thread.sleep(20); // the benchmark's own clock, not a synchronisation
            }
            atMeasureStart[0] = done.sum();
            for (Future<?> f : futures) {
                f.get(warmup + seconds + 60L, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return (done.sum() - atMeasureStart[0]) / (double) seconds;
    }

    private static void handshakeLoop(SSLSocketFactory factory, int port, long end, LongAdder done) throws IOException {
        byte[] response = new byte[CannedHttp.RESPONSE.length];
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        while (System.nanoTime() < end) {
            try (SSLSocket socket = (SSLSocket) factory.createSocket()) {
                socket.setSoLinger(true, 0);
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                socket.connect(address, 10_000);
                socket.startHandshake();
                exchange(socket, response);
                socket.getSession().invalidate(); // the next handshake is a full one
            }
            done.increment();
        }
    }

    private static void requestLoop(SSLSocketFactory factory, int port, long end, LongAdder done) throws IOException {
        byte[] response = new byte[CannedHttp.RESPONSE.length];
        try (SSLSocket socket = (SSLSocket) factory.createSocket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            while (System.nanoTime() < end) {
                exchange(socket, response);
                done.increment();
            }
        }
    }

    private static void exchange(SSLSocket socket, byte[] response) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(CannedHttp.REQUEST);
        out.flush();
        InputStream in = socket.getInputStream();
        int off = 0;
        while (off < response.length) {
            int n = in.read(response, off, response.length - off);
            if (n < 0) {
                throw new IOException("EOF after " + off + " response bytes");
            }
            off += n;
        }
    }

    private static SSLContext clientContext(Path keyStore, char[] password) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, password);
        }
        Certificate certificate = keys.getCertificate("server");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context; // the servers allow TLS 1.3 and SUITE only, so that is what is negotiated
    }

    private static Process startServer(String kind, int loops, Path keyStore, String password) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(java, "-Xms512m", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                TlsServer.class.getName(), kind, Integer.toString(loops), keyStore.toString(), password, SUITE);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static int awaitReady(Process server, String kind) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("ready ")) {
                Thread drain = new Thread(() -> reader.lines().forEach(l -> System.out.println("  [" + kind + "] " + l)),
                        "tls-bench-" + kind + "-output");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(line.substring(6).trim());
            }
            System.out.println("  [" + kind + "] " + line);
        }
        throw new IOException(kind + " server exited before it was ready");
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }
    }
}
