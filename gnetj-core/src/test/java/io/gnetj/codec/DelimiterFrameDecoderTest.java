package io.gnetj.codec;

import static io.gnetj.codec.Frames.assertDecodesInEveryChunking;
import static io.gnetj.codec.Frames.bytes;
import static io.gnetj.codec.Frames.drain;
import static io.gnetj.codec.Frames.feed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.testing.MemoryConn;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DelimiterFrameDecoderTest {

    private static final byte[] BLANK_LINE = bytes("\r\n\r\n");

    @Test
    void framesByAMultiByteDelimiterInEveryChunking() {
        // Frames hold prefixes of the delimiter, which must not fool the search.
        assertDecodesInEveryChunking(() -> new DelimiterFrameDecoder(BLANK_LINE, 64),
                bytes("GET /\r\nHost: x\r\n\r\n\r\n\r\na\r\n\rb\r\r\n\r\n"),
                0, "GET /\r\nHost: x", "", "a\r\n\rb\r");
    }

    @Test
    void keepsTheDelimiterWhenAskedTo() {
        assertDecodesInEveryChunking(() -> new DelimiterFrameDecoder(BLANK_LINE, 64, false),
                bytes("x\r\n\r\n\r\n\r\nyz\r\n"), 4, "x\r\n\r\n", "\r\n\r\n");
    }

    @Test
    void framesByASingleByteDelimiter() {
        assertDecodesInEveryChunking(() -> new DelimiterFrameDecoder(new byte[] {0}, 16),
                bytes("abc\0\0\u00ff\u00fe\0tail"), 4, "abc", "", "\u00ff\u00fe");
    }

    @Test
    void findsADelimiterThatOverlapsItself() {
        assertDecodesInEveryChunking(() -> new DelimiterFrameDecoder(bytes("aab"), 16),
                bytes("aaab|aaaab|aab"), 0, "a", "|aa", "|");
    }

    @Test
    void acceptsAFrameOfExactlyMaxLength() {
        assertDecodesInEveryChunking(() -> new DelimiterFrameDecoder(BLANK_LINE, 4),
                bytes("1234\r\n\r\n123\r\n\r\n"), 0, "1234", "123");
    }

    @Test
    void refusesAFrameOneByteOverTheLimit() {
        byte[] stream = bytes("12345\r\n\r\n");
        for (int cut = 0; cut <= stream.length; cut++) {
            int at = cut;
            assertThatThrownBy(() -> feed(new DelimiterFrameDecoder(BLANK_LINE, 4), new MemoryConn(), stream, at))
                    .as("split at %d", at)
                    .isInstanceOf(CorruptFrameException.class)
                    .hasMessageContaining("limit of 4 bytes")
                    .hasMessageContaining("0x0d 0x0a 0x0d 0x0a");
        }
    }

    @Test
    void refusesALongFrameWithoutWaitingForTheDelimiter() {
        int max = 8 * 1024;
        DelimiterFrameDecoder decoder = new DelimiterFrameDecoder(BLANK_LINE, max);
        MemoryConn conn = new MemoryConn();
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'a');
        long sent = 0;
        CorruptFrameException refused = null;
        while (sent < 100L * 1024 * 1024 && refused == null) {
            conn.receive(chunk);
            sent += chunk.length;
            try {
                drain(decoder, conn);
            } catch (CorruptFrameException e) {
                refused = e;
            }
        }
        assertThat(refused).as("refused before 100 MiB arrived").isNotNull();
        assertThat(sent).isEqualTo(chunk.length);
    }

    @Test
    void refusesALongFrameArrivingInSmallPiecesOnceTheLimitIsPassed() {
        int max = 500;
        DelimiterFrameDecoder decoder = new DelimiterFrameDecoder(BLANK_LINE, max);
        MemoryConn conn = new MemoryConn();
        int buffered = 0;
        while (true) {
            conn.receive(bytes("\r\n\r")); // almost a delimiter, never one
            buffered += 3;
            try {
                assertThat(drain(decoder, conn)).isEmpty();
            } catch (CorruptFrameException e) {
                break;
            }
            assertThat(buffered).as("buffered without refusal").isLessThan(max + BLANK_LINE.length);
        }
        assertThat(buffered).isGreaterThan(max).isLessThan(max + BLANK_LINE.length + 3);
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> new DelimiterFrameDecoder(new byte[0], 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DelimiterFrameDecoder(BLANK_LINE, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copiesTheDelimiter() {
        byte[] delimiter = bytes(";");
        DelimiterFrameDecoder decoder = new DelimiterFrameDecoder(delimiter, 10);
        delimiter[0] = ',';
        assertThat(feed(decoder, new MemoryConn(), bytes("a,b;"))).containsExactly("a,b");
    }
}
