package io.gnetj.examples.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.ServerExample;
import io.gnetj.examples.blocking.BlockingEchoExample;
import io.gnetj.examples.http.HttpExample;
import io.gnetj.examples.redis.RedisExample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Clients that break the rules: reset mid-request and mid-response, half-close, send random and
 * structured junk, or send 100 MiB without a newline. After each: the server closed or answered
 * every one within a bound, its memory came back, it logged no warning that names a bug, and it
 * still serves a normal client.
 */
class BrokenClientsTest {

    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final long HUNDRED_MIB = 100L << 20;

    /** Runs {@code attack} against {@code example}, then checks what every attack must leave behind. */
    private static void against(ServerExample example, Scenario attack, String... flags) throws Exception {
        BufferPool pool = BufferPool.create();
        try (RunningServer server = RunningServer.start(example, b -> b.bufferPool(pool), flags);
             Attack.EngineLog log = new Attack.EngineLog()) {
            attack.run(server, pool);
            Attack.await("every attacking connection closed", SETTLE, () -> server.engine().countConnections() == 0);
            Attack.await("every pooled byte returned", SETTLE, () -> pool.inUseBytes() == 0);
            assertThat(log.unexpected()).as("engine warnings naming a bug").isEmpty();
            assertServes(example, server.port());
        }
        assertThat(pool.inUseBytes()).as("pooled bytes lent out after stop").isZero();
    }

    interface Scenario {
        void run(RunningServer server, BufferPool pool) throws Exception;
    }

    private static void assertServes(ServerExample example, int port) throws IOException {
        try (Socket s = Attack.connect(port)) {
            if (example instanceof HttpExample) {
                Attack.getPlaintext(s);
            } else if (example instanceof RedisExample) {
                s.getOutputStream().write(ascii("PING\r\n"));
                assertThat(new String(s.getInputStream().readNBytes(7), StandardCharsets.ISO_8859_1)).isEqualTo("+PONG\r\n");
            } else {
                s.getOutputStream().write(ascii("fast ok\n"));
                assertThat(new String(s.getInputStream().readNBytes(8), StandardCharsets.ISO_8859_1)).isEqualTo("fast ok\n");
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Socket connect(RunningServer server) throws IOException {
        return Attack.connect(server.port());
    }

    // ---- resets ----

    @Test
    void httpClientsResetMidRequestAndMidResponse() throws Exception {
        byte[] body = new byte[1 << 20];
        Arrays.fill(body, (byte) 'b');
        against(new HttpExample(), (server, pool) -> {
            for (int i = 0; i < 100; i++) {
                Socket s = connect(server);
                String head = i % 2 == 0 ? "GET /plaintext HTTP/1.1\r\nHo"
                        : "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(500);
                s.getOutputStream().write(ascii(head));
                Attack.reset(s);
            }
            for (int i = 0; i < 30; i++) {
                Socket s = connect(server);
                OutputStream out = s.getOutputStream();
                out.write(ascii("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n"));
                out.write(body);
                assertThat(s.getInputStream().readNBytes(1024)).hasSize(1024); // the answer has begun
                Attack.reset(s);
            }
        });
    }

    @Test
    void redisClientsResetMidRequestAndMidResponse() throws Exception {
        byte[] value = new byte[4 << 20];
        Arrays.fill(value, (byte) 'v');
        against(new RedisExample(), (server, pool) -> {
            try (Socket s = connect(server)) {
                s.getOutputStream().write(ascii("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + value.length + "\r\n"));
                s.getOutputStream().write(value);
                s.getOutputStream().write(ascii("\r\n"));
                assertThat(s.getInputStream().readNBytes(5)).isEqualTo(ascii("+OK\r\n"));
            }
            for (int i = 0; i < 100; i++) {
                Socket s = connect(server);
                s.getOutputStream().write(ascii(i % 2 == 0 ? "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\nxxxx" : "GET bi"));
                Attack.reset(s);
            }
            for (int i = 0; i < 30; i++) {
                Socket s = connect(server);
                s.getOutputStream().write(ascii("GET big\r\nGET big\r\n"));
                assertThat(s.getInputStream().readNBytes(1024)).hasSize(1024);
                Attack.reset(s);
            }
        });
    }

    // ---- half-close ----

    @Test
    void halfClosedClientsGetEveryAnswerThenEof() throws Exception {
        against(new HttpExample(), (server, pool) -> {
            for (int i = 0; i < 50; i++) {
                try (Socket s = connect(server)) {
                    s.getOutputStream().write(ascii("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n".repeat(10)));
                    s.shutdownOutput();
                    String all = new String(Attack.readUntilClosed(s.getInputStream()),
                            StandardCharsets.ISO_8859_1);
                    assertThat(all.split("Hello, World!", -1)).as("answers before EOF").hasSize(11);
                }
            }
        });
        against(new RedisExample(), (server, pool) -> {
            for (int i = 0; i < 50; i++) {
                try (Socket s = connect(server)) {
                    s.getOutputStream().write(ascii("PING\r\n".repeat(10)));
                    s.shutdownOutput();
                    assertThat(Attack.readUntilClosed(s.getInputStream()))
                            .isEqualTo(ascii("+PONG\r\n".repeat(10)));
                }
            }
        });
    }

    // ---- junk ----

    private static final List<String> HTTP_JUNK = List.of(
            "\0\0\0\0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: " + "\r".repeat(100) + "\r\n\r\n",
            "GET /plaintext HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
            "GET /plaintext HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999999\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n",
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" + "x".repeat(5000) + "\r\n",
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX",
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET " + " ".repeat(10_000) + "/ HTTP/1.1\r\n\r\n",
            "\r\n".repeat(5000) + "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003" + "\u00aa".repeat(64),
            "GET /plaintext HTTP/1.1\r\nHo\u00ffst: a\r\n\r\n",
            "GET /plaintext HTTP/1.1\r\n" + "X-A: b\r\n".repeat(2000) + "\r\n",
            "GET /plaintext HTTP/9.9\r\nHost: a\r\n\r\n",
            "GET /plaintext HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
            "G\nE\nT\n\n\n");

    private static final List<String> REDIS_JUNK = List.of(
            "*-5\r\nPING\r\n",
            "*99999999999\r\n",
            "*1\r\n$-1\r\n",
            "*2\r\n$3\r\nGET\r\n$99999999999\r\n",
            "*2\r\n$3\r\nGET\r\n$-7\r\n",
            "$5\r\nhello\r\n",
            "*1\r\n+OK\r\n",
            "*1\r\n$3\r\nGETxx",
            "\"unbalanced\r\n",
            "GET 'a\r\n",
            "SET \"\\x4\" v\r\n",
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nvXXXXXXX\r\n",
            "*1\r\n$4\r\nPING\r\n*0\r\n*-1\r\n\r\n\r\n",
            "\0\0\0\0\n",
            "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003" + "\u00aa".repeat(64),
            "*1\r\n$" + "9".repeat(70_000) + "\r\n",
            "GET " + "k".repeat(70_000),
            "EVAL x 0\r\nDEBUG SEGFAULT\r\nSHUTDOWN\r\nQUIT\r\n",
            "INCRBY k 99999999999999999999999\r\nLPUSH k a\r\n");

    @Test
    void httpSurvivesRandomAndStructuredJunk() throws Exception {
        against(new HttpExample(), (server, pool) -> junk(server, HTTP_JUNK,
                ascii("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")));
    }

    @Test
    void redisSurvivesRandomAndStructuredJunk() throws Exception {
        against(new RedisExample(), (server, pool) -> junk(server, REDIS_JUNK,
                ascii("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")));
    }

    /**
     * Each junk input, then 200 random byte strings and 200 mutations of {@code valid}, each on its
     * own connection, half-closed after sending so the server must end it: it answers (or not) and
     * closes within the bound.
     */
    private static void junk(RunningServer server, List<String> structured, byte[] valid) throws Exception {
        List<byte[]> inputs = new ArrayList<>();
        for (String s : structured) {
            inputs.add(ascii(s));
        }
        Random random = new Random(8);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[random.nextInt(4096)];
            random.nextBytes(b);
            inputs.add(b);
        }
        for (int i = 0; i < 200; i++) {
            byte[] b = valid.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            inputs.add(b);
        }
        for (byte[] input : inputs) {
            try (Socket s = connect(server)) {
                s.setSoTimeout((int) SETTLE.toMillis());
                try {
                    s.getOutputStream().write(input);
                    s.shutdownOutput();
                } catch (IOException closedEarly) {
                    // the server refused the junk before all of it was sent: fine
                }
                long start = System.nanoTime();
                Attack.readUntilClosed(s.getInputStream());
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                        .as("ms until the server ended a junk connection").isLessThan(SETTLE.toMillis());
            }
        }
        System.out.printf("%d junk inputs (%d structured, 200 random, 200 mutated) each answered or closed%n",
                inputs.size(), structured.size());
    }

    // ---- 100 MiB without a newline ----

    @Test
    void hundredMebibytesWithoutANewlineIsCutOffEarly() throws Exception {
        // blocking-echo frames lines with LineFrameDecoder(4 KiB): it closes with the decoder's verdict.
        against(new BlockingEchoExample(), (server, pool) -> floodWithoutNewline(server, pool, null));
        // redis (64 KiB inline limit) and http (8 KiB request line) answer an error first, then close.
        against(new RedisExample(), (server, pool) -> floodWithoutNewline(server, pool, "-ERR Protocol error: too big inline request"));
        against(new HttpExample(), (server, pool) -> floodWithoutNewline(server, pool, "HTTP/1.1 414 URI Too Long"));
    }

    private static void floodWithoutNewline(RunningServer server, BufferPool pool, String expectedAnswer) throws Exception {
        Socket s = connect(server);
        AtomicLong sent = new AtomicLong();
        long[] peak = {0};
        Thread writer = new Thread(() -> {
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            chunk[0] = 'G'; // a plausible start for every protocol
            try {
                OutputStream out = s.getOutputStream();
                while (sent.get() < HUNDRED_MIB) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                    chunk[0] = 'x';
                }
            } catch (IOException cutOff) {
                // reset by the server: what we want
            }
        }, "flood-writer");
        long start = System.nanoTime();
        writer.start();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int r; (r = in.read(buf)) >= 0; ) {
                answer.write(buf, 0, r);
                peak[0] = Math.max(peak[0], pool.inUseBytes());
            }
        } catch (IOException reset) {
            // the reset may come before or instead of EOF
        }
        writer.join(SETTLE.toMillis());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        s.close();
        peak[0] = Math.max(peak[0], pool.inUseBytes());
        assertThat(writer.isAlive()).as("the flood writer still blocked after " + SETTLE).isFalse();
        if (expectedAnswer != null) {
            assertThat(answer.toString(StandardCharsets.ISO_8859_1)).startsWith(expectedAnswer);
        }
        assertThat(peak[0]).as("pooled bytes in use while flooded").isLessThan(1 << 20);
        System.out.printf("100 MiB without a newline: cut off after %d KiB sent (kernel buffers included), %d ms;"
                + " pooled memory at most %d KiB%n", sent.get() >> 10, millis, peak[0] >> 10);
    }
}
