package io.gnetj.examples.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.gnetj.examples.StreamFeed;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes {@link RespParser}: multibulk and inline commands.
 *
 * <p>Runs in regression mode in every build over the inputs committed under
 * {@code src/test/resources/io/gnetj/examples/redis/RespParserFuzzTestInputs/<method>/}; fuzzes
 * with {@code JAZZER_FUZZ=1} (see docs/reliability.md for the command).
 */
@Tag("fuzz")
class RespParserFuzzTest {

    /** Small limits, so the fuzzer reaches them with small inputs. */
    private static final long MAX_BULK = 512;
    private static final long MAX_MULTIBULK = 16;

    /**
     * Any bytes: {@code data[0]} chooses how the stream arrives (whole, or in chunks of 1-63
     * bytes), the rest is the stream. The parser never throws, never claims more bytes than it was
     * given, never moves the buffer, keeps every argument inside the bytes it read, ends every
     * stream in a bounded number of calls, and finds the same commands and verdict however the
     * stream is cut.
     */
    @FuzzTest(maxDuration = "5m")
    void parse(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int chunk = data[0] & 0x3f;
        byte[] stream = Arrays.copyOfRange(data, 1, data.length);
        List<String> whole = run(stream, stream.length);
        if (chunk > 0) {
            assertThat(run(stream, chunk)).as("results with the stream cut every %d bytes", chunk).isEqualTo(whole);
        }
    }

    private static List<String> run(byte[] stream, int chunk) {
        assertThat(new int[] {RespParser.NEED_MORE, RespParser.ERROR}).as("the parser's answers as StreamFeed reads them")
                .containsExactly(StreamFeed.NEED_MORE, StreamFeed.ERROR);
        RespParser parser = new RespParser(MAX_BULK, MAX_MULTIBULK);
        return StreamFeed.run(stream, chunk, new StreamFeed.Target() {
            @Override
            public int parse(ByteBuffer buf) {
                return parser.parse(buf);
            }

            @Override
            public String describe(ByteBuffer buf, int start, int n) {
                return RespParserFuzzTest.describe(parser, buf, start, n);
            }

            @Override
            public String describeError() {
                assertThat(parser.error()).startsWith("Protocol error: ");
                return parser.error();
            }
        });
    }

    private static String describe(RespParser p, ByteBuffer buf, int start, int n) {
        StringBuilder sb = new StringBuilder("command ").append(n);
        ByteBuffer source = p.argSource();
        for (int i = 0; i < p.argc(); i++) {
            int off = p.argOffset(i);
            int len = p.argLength(i);
            assertThat(len).as("argument %d length", i).isBetween(0, (int) Math.max(MAX_BULK, n));
            if (source == buf) {
                assertThat(off).as("argument %d start", i).isBetween(start, start + n);
                assertThat(off + len).as("argument %d end", i).isLessThanOrEqualTo(start + n);
            }
            sb.append(' ').append(new String(p.argBytes(i), StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    /**
     * Commands built from the fuzzer's bytes, as multibulk (any bytes in an argument) and, when
     * the arguments allow it, inline (plain words, or double-quoted with escapes): each parses to
     * exactly its arguments and claims exactly its bytes.
     */
    @FuzzTest(maxDuration = "5m")
    void commandsRoundTrip(byte[] data) {
        int p = 0;
        int argc = data.length == 0 ? 1 : 1 + (data[p++] & 0x0f);
        List<byte[]> args = new ArrayList<>();
        for (int i = 0; i < argc; i++) {
            int len = p < data.length ? data[p++] & 0x3f : 0;
            byte[] arg = Arrays.copyOfRange(data, Math.min(p, data.length), Math.min(p + len, data.length));
            p = Math.min(p + len, data.length);
            args.add(arg);
        }
        ByteArrayOutputStream multibulk = new ByteArrayOutputStream();
        ascii(multibulk, "*" + args.size() + "\r\n");
        for (byte[] a : args) {
            ascii(multibulk, "$" + a.length + "\r\n");
            multibulk.writeBytes(a);
            ascii(multibulk, "\r\n");
        }
        assertParsesTo(multibulk.toByteArray(), args);

        // Inline: every argument double-quoted, bytes escaped where sdssplitargs needs it.
        ByteArrayOutputStream inline = new ByteArrayOutputStream();
        for (byte[] a : args) {
            ascii(inline, inline.size() == 0 ? "\"" : " \"");
            for (byte b : a) {
                int c = b & 0xff;
                if (c == '"' || c == '\\') {
                    ascii(inline, "\\" + (char) c);
                } else if (c < 0x20 || c >= 0x7f) {
                    ascii(inline, String.format("\\x%02x", c));
                } else {
                    inline.write(c);
                }
            }
            ascii(inline, "\"");
        }
        ascii(inline, "\r\n");
        assertParsesTo(inline.toByteArray(), args);
    }

    private static void assertParsesTo(byte[] command, List<byte[]> args) {
        RespParser parser = new RespParser(1 << 20, 1 << 10);
        ByteBuffer buf = ByteBuffer.wrap(command);
        assertThat(parser.parse(buf)).as("bytes of %s", new String(command, StandardCharsets.ISO_8859_1))
                .isEqualTo(command.length);
        assertThat(parser.argc()).isEqualTo(args.size());
        for (int i = 0; i < args.size(); i++) {
            assertThat(parser.argBytes(i)).as("argument %d", i).isEqualTo(args.get(i));
        }
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
