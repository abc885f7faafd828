package io.gnetj.codec;

import static io.gnetj.codec.Frames.assertDecodesInEveryChunking;
import static io.gnetj.codec.Frames.bytes;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FixedLengthFrameDecoderTest {

    @Test
    void framesFixedSizeRecordsInEveryChunking() {
        assertDecodesInEveryChunking(() -> new FixedLengthFrameDecoder(3), bytes("abc\n\r\0xyz12"),
                2, "abc", "\n\r\0", "xyz");
    }

    @Test
    void oneDecoderServesManyConnections() {
        FixedLengthFrameDecoder shared = new FixedLengthFrameDecoder(1);
        assertDecodesInEveryChunking(() -> shared, bytes("abcd"), 0, "a", "b", "c", "d");
    }

    @Test
    void refusesABadLength() {
        assertThatThrownBy(() -> new FixedLengthFrameDecoder(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
