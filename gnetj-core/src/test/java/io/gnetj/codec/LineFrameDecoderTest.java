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

class LineFrameDecoderTest {

    @Test
    void framesLinesEndedByLfOrCrlfInEveryChunking() {
        assertDecodesInEveryChunking(() -> new LineFrameDecoder(64),
                bytes("hello\r\nworld\n\n\r\nlone\rcr\n\r\r\nlast\r\n"),
                0, "hello", "world", "", "", "lone\rcr", "\r", "last");
    }

    @Test
    void leavesAPartialLineBufferedForTheNextArrival() {
        assertDecodesInEveryChunking(() -> new LineFrameDecoder(64), bytes("one\ntwo\r\nthr"), 3, "one", "two");

        LineFrameDecoder decoder = new LineFrameDecoder(64);
        MemoryConn conn = new MemoryConn();
        assertThat(feed(decoder, conn, bytes("abc\nde"))).containsExactly("abc");
        assertThat(conn.inboundBuffered()).isEqualTo(2);
        assertThat(feed(decoder, conn, bytes("f\r"))).isEmpty();
        assertThat(feed(decoder, conn, bytes("\n"))).containsExactly("def");
        assertThat(conn.inboundBuffered()).isZero();
    }

    @Test
    void acceptsALineOfExactlyMaxLength() {
        assertDecodesInEveryChunking(() -> new LineFrameDecoder(5), bytes("12345\n12345\r\n1234\r\n"),
                0, "12345", "12345", "1234");
    }

    @Test
    void waitsForTheNewlineAfterACarriageReturnAtTheLimit() {
        LineFrameDecoder decoder = new LineFrameDecoder(3);
        MemoryConn conn = new MemoryConn();
        assertThat(feed(decoder, conn, bytes("abc\r"))).as("abc\\r may still end as abc\\r\\n").isEmpty();
        assertThat(feed(decoder, conn, bytes("\n"))).containsExactly("abc");

        LineFrameDecoder other = new LineFrameDecoder(3);
        MemoryConn conn2 = new MemoryConn();
        assertThat(feed(other, conn2, bytes("abc\r"))).isEmpty();
        assertThatThrownBy(() -> feed(other, conn2, bytes("x"))).isInstanceOf(CorruptFrameException.class);
    }

    @Test
    void refusesALineOneByteOverTheLimit() {
        assertThatThrownBy(() -> feed(new LineFrameDecoder(5), new MemoryConn(), bytes("ok\n123456\n")))
                .isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("limit of 5 bytes");
        assertThatThrownBy(() -> feed(new LineFrameDecoder(5), new MemoryConn(), bytes("123456\r\n")))
                .isInstanceOf(CorruptFrameException.class);
        byte[] stream = bytes("123456\n");
        for (int cut = 0; cut <= stream.length; cut++) {
            int at = cut;
            assertThatThrownBy(() -> feed(new LineFrameDecoder(5), new MemoryConn(), stream, at))
                    .as("split at %d", at).isInstanceOf(CorruptFrameException.class);
        }
    }

    @Test
    void refusesALongLineAsSoonAsTheLimitIsPassedWithoutWaitingForTheNewline() {
        int max = 8 * 1024;
        LineFrameDecoder decoder = new LineFrameDecoder(max);
        MemoryConn conn = new MemoryConn();
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'a');
        long sent = 0;
        long hundredMiB = 100L * 1024 * 1024;
        CorruptFrameException refused = null;
        while (sent < hundredMiB && refused == null) {
            conn.receive(chunk);
            sent += chunk.length;
            try {
                drain(decoder, conn);
            } catch (CorruptFrameException e) {
                refused = e;
            }
        }
        assertThat(refused).as("refused before 100 MiB arrived").isNotNull();
        assertThat(sent).as("bytes sent before the refusal").isEqualTo(chunk.length);
        assertThat(refused).hasMessageContaining("more than 8192 bytes without a newline");
    }

    @Test
    void refusesALongLineArrivingInSmallPiecesOnceTheLimitIsPassed() {
        int max = 1000;
        LineFrameDecoder decoder = new LineFrameDecoder(max);
        MemoryConn conn = new MemoryConn();
        byte[] piece = bytes("abcdefg"); // 7 bytes, no newline
        int buffered = 0;
        while (true) {
            conn.receive(piece);
            buffered += piece.length;
            try {
                assertThat(drain(decoder, conn)).isEmpty();
            } catch (CorruptFrameException e) {
                break;
            }
            assertThat(buffered).as("buffered without refusal").isLessThanOrEqualTo(max + 1);
        }
        assertThat(buffered).isGreaterThan(max).isLessThanOrEqualTo(max + piece.length);
    }

    @Test
    void emptyLinesWithAZeroLimit() {
        assertDecodesInEveryChunking(() -> new LineFrameDecoder(0), bytes("\n\r\n\n"), 0, "", "", "");
        assertThatThrownBy(() -> feed(new LineFrameDecoder(0), new MemoryConn(), bytes("x")))
                .isInstanceOf(CorruptFrameException.class);
    }

    @Test
    void resetForgetsTheSearchAfterBytesWereReadOtherwise() {
        LineFrameDecoder decoder = new LineFrameDecoder(64);
        MemoryConn conn = new MemoryConn();
        assertThat(feed(decoder, conn, bytes("abcdef"))).isEmpty();
        conn.discard(6);
        decoder.reset();
        assertThat(feed(decoder, conn, bytes("xy\n"))).containsExactly("xy");
    }

    @Test
    void refusesABadLimit() {
        assertThatThrownBy(() -> new LineFrameDecoder(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LineFrameDecoder(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
    }
}
