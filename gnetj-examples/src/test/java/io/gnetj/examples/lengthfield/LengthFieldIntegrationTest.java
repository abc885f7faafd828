package io.gnetj.examples.lengthfield;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.Main;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.echo.EchoExample;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LengthFieldIntegrationTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void framesComeBackUpperCasedWhateverTheirSplitOrBatching() throws Exception {
        try (RunningServer server = RunningServer.start(new LengthFieldExample());
             Socket s = connect(server)) {
            DataOutputStream o = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            // Three frames in one write: an empty one, a short one, one with non-letters.
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            DataOutputStream b = new DataOutputStream(batch);
            for (String text : new String[] {"", "hello", "mIxEd 123 ü-ok"}) {
                byte[] p = text.getBytes(StandardCharsets.UTF_8);
                b.writeInt(p.length);
                b.write(p);
            }
            o.write(batch.toByteArray());
            o.flush();
            assertThat(readFrame(in)).isEmpty();
            assertThat(readFrame(in)).isEqualTo("HELLO");
            assertThat(readFrame(in)).isEqualTo("MIXED 123 ü-OK");
            // One frame a byte at a time: header and body both split.
            byte[] p = "split across writes".getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream one = new ByteArrayOutputStream();
            new DataOutputStream(one).writeInt(p.length);
            one.write(p);
            for (byte x : one.toByteArray()) {
                o.write(x);
                o.flush();
            }
            assertThat(readFrame(in)).isEqualTo("SPLIT ACROSS WRITES");
        }
    }

    @Test
    void aFrameOfExactlyMaxFrameIsAnsweredAndOneByteMoreClosesTheConnection() throws Exception {
        try (RunningServer server = RunningServer.start(new LengthFieldExample(), "max-frame", "1000")) {
            try (Socket s = connect(server)) {
                DataOutputStream o = new DataOutputStream(s.getOutputStream());
                o.writeInt(1000);
                o.write(new byte[1000]);
                o.flush();
                assertThat(readFrame(new DataInputStream(s.getInputStream()))).hasSize(1000);
            }
            try (Socket s = connect(server)) {
                // Only the header: the server refuses it without waiting for the 1001 bytes.
                new DataOutputStream(s.getOutputStream()).writeInt(1001);
                assertThat(closedByServer(s)).isTrue();
            }
        }
    }

    @Test
    void clientModeSendsFramesAndChecksTheReplies() throws Exception {
        try (RunningServer server = RunningServer.start(new LengthFieldExample())) {
            String address = "tcp://127.0.0.1:" + server.port();
            int code = run("length-field", "--client", "--address", address, "--count", "50");
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .matches("50 frames \\(\\d+ payload bytes\\) sent to " + address + " and answered upper-cased in [\\d.]+ ms\n");
        }
    }

    @Test
    void clientModeAgainstAPlainEchoFailsNamingTheFrame() throws Exception {
        // An echo returns the frames unchanged: frame 0 is empty and passes, frame 1 is not upper-cased.
        try (RunningServer server = RunningServer.start(new EchoExample())) {
            String address = "tcp://127.0.0.1:" + server.port();
            assertThat(run("length-field", "--client", "--address", address)).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .startsWith("length-field: " + address + ": the reply to frame 1 differs at byte 0: expected 'B'");
        }
    }

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static Socket connect(RunningServer server) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String readFrame(DataInputStream in) throws IOException {
        byte[] p = new byte[in.readInt()];
        in.readFully(p);
        return new String(p, StandardCharsets.UTF_8);
    }

    /** EOF, or a reset if the close raced our bytes: either way the server closed the connection. */
    private static boolean closedByServer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }
}
