package io.gnetj.examples.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import io.gnetj.examples.Main;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.ServerExample;
import io.gnetj.examples.echo.EchoExample;
import io.gnetj.examples.echo.UdpEchoExample;
import io.gnetj.examples.echo.UnixEchoExample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientExampleTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    private int client(String... flags) {
        String[] args = new String[flags.length + 1];
        args[0] = "client";
        System.arraycopy(flags, 0, args, 1, flags.length);
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pingPongsOverTcp() throws Exception {
        checkRoundTrips(new EchoExample());
    }

    @Test
    void pingPongsOverUdp() throws Exception {
        checkRoundTrips(new UdpEchoExample());
    }

    @Test
    void pingPongsOverAUnixSocket() throws Exception {
        checkRoundTrips(new UnixEchoExample(), "path", dir.resolve("echo.sock").toString());
    }

    /** Three connections of 20 messages of 1000 bytes: 60 round trips, then a summary of three lines. */
    private void checkRoundTrips(ServerExample example, String... serverFlags) throws Exception {
        try (RunningServer server = RunningServer.start(example, serverFlags)) {
            int code = client("--address", server.address(), "--count", "20", "--size", "1000", "--connections", "3");
            assertThat(code).as(err()).isZero();
            assertThat(out()).matches("client: 3 connections to " + Pattern.quote(server.address())
                    + ", 20 messages of 1000 bytes each\n"
                    + "60 of 60 messages answered, 0 errors, in [\\d.]+ ms \\(\\d+ per second\\)\n"
                    + LATENCY_LINE + "\n");
            assertThat(err()).isEmpty();
        }
    }

    private static final String LATENCY_LINE = "latency: min [\\d.]+ us, p50 [\\d.]+ us, p90 [\\d.]+ us, "
            + "p99 [\\d.]+ us, p99\\.9 [\\d.]+ us, max [\\d.]+ us";

    @Test
    void verbosePrintsEveryRoundTripBeforeTheSummary() throws Exception {
        try (RunningServer server = RunningServer.start(new EchoExample())) {
            int code = client("--address", server.address(), "--count", "5", "--connections", "2", "--verbose");
            assertThat(code).as(err()).isZero();
            List<String> lines = out().lines().collect(Collectors.toList());
            assertThat(lines).hasSize(1 + 10 + 2);
            assertThat(lines.subList(1, 11)).allMatch(l -> l.matches("connection [12] message [1-5]: \\d+\\.\\d us"));
            assertThat(lines.get(11)).startsWith("10 of 10 messages answered, 0 errors, in ");
            assertThat(lines.get(12)).matches(LATENCY_LINE);
        }
    }

    @Test
    void aConnectionThatFailsIsCountedAndTheOthersFinish() throws Exception {
        // An echo that closes the connection whose first byte says it is the client's connection 2
        // (message m of connection c starts with the byte (c * 131 + m * 31) & 0xFF).
        EventHandler closesConnectionTwo = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                if (conn.context() == null) {
                    conn.context(Boolean.valueOf((conn.peek(1).get(0) & 0xFF) == ((2 * 131 + 31) & 0xFF)));
                }
                if ((Boolean) conn.context()) {
                    return Action.CLOSE;
                }
                conn.write(conn.next(-1));
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(closesConnectionTwo, "tcp://127.0.0.1:0", Options.defaults());
        try {
            String address = ServerExample.describe("tcp", engine.addresses().get(0));
            assertThat(client("--address", address, "--connections", "3", "--size", "16")).isEqualTo(1);
            assertThat(out()).contains("20 of 30 messages answered, 1 error, in ").containsPattern(LATENCY_LINE);
            assertThat(err()).isEqualTo("client: connection 2 to " + address + " closed after 0 of 10 replies by the server\n");
        } finally {
            engine.stop();
        }
    }

    @Test
    void noReplyWithinTheTimeoutIsAnErrorForEachWaitingConnection() throws Exception {
        EventHandler silent = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.discard(conn.inboundBuffered());
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(silent, "tcp://127.0.0.1:0", Options.defaults());
        try {
            String address = ServerExample.describe("tcp", engine.addresses().get(0));
            assertThat(client("--address", address, "--connections", "2", "--timeout-ms", "300")).isEqualTo(1);
            assertThat(out()).contains("0 of 20 messages answered, 2 errors, in ").doesNotContain("latency:");
            assertThat(err()).contains("no reply from " + address + " for 300 ms", "(2 errors in all)");
        } finally {
            engine.stop();
        }
    }

    @Test
    void aClosedPortExitsOneNamingTheAddress() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed, so nothing listens there
        }
        String address = "tcp://127.0.0.1:" + port;
        assertThat(client("--address", address)).isEqualTo(1);
        assertThat(err()).startsWith("client: ").contains(address).contains("refused");
    }

    @Test
    void aWrongReplyExitsOneSayingWhere() throws Exception {
        // An "echo" that changes the third byte of what it sends back.
        EventHandler corrupting = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                ByteBuffer in = conn.next(-1);
                byte[] copy = new byte[in.remaining()];
                in.get(copy);
                if (copy.length > 2) {
                    copy[2] ^= 1;
                }
                conn.write(copy);
                return Action.NONE;
            }
        };
        Engine engine = Gnet.start(corrupting, "tcp://127.0.0.1:0", Options.defaults());
        try {
            String address = ServerExample.describe("tcp", engine.addresses().get(0));
            assertThat(client("--address", address, "--size", "16")).isEqualTo(1);
            assertThat(err()).contains("connection 1 to " + address, "the reply to message 1 differs at byte 2");
            assertThat(out()).as("the summary is printed all the same").contains("0 of 10 messages answered, 1 error, in ");
        } finally {
            engine.stop();
        }
    }

    @Test
    void aMessageTooLargeForADatagramIsAUsageError() {
        assertThat(client("--address", "udp://127.0.0.1:9", "--size", "64k")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("--size 65536 does not fit one UDP datagram");
    }

    @Test
    void aMalformedAddressIsAUsageError() {
        assertThat(client("--address", "gopher://x")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("invalid address 'gopher://x'");
    }

    @Test
    void percentilesAreNearestRank() {
        Latencies l = new Latencies();
        for (int i = 100; i >= 1; i--) {
            l.add(i * 1000L);
        }
        assertThat(l.percentile(0)).isEqualTo(1000);
        assertThat(l.percentile(50)).isEqualTo(50_000);
        assertThat(l.percentile(99)).isEqualTo(99_000);
        assertThat(l.percentile(100)).isEqualTo(100_000);
        assertThat(l.summary()).isEqualTo("min 1.0 us, p50 50.0 us, p90 90.0 us, p99 99.0 us, p99.9 100.0 us, max 100.0 us");
        Latencies thousand = new Latencies();
        for (int i = 1; i <= 1000; i++) {
            thousand.add(i * 1000L);
        }
        assertThat(thousand.percentile(99.9)).as("rank 999 of 1000, despite 99.9 / 100 * 1000 rounding up").isEqualTo(999_000);
    }
}
