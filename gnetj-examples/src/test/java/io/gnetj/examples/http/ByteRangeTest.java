package io.gnetj.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteRangeTest {

    private final ByteRange range = new ByteRange();

    /** Parses {@code value} placed past index 0 (the parser reads absolute indexes). */
    private int parse(String value, long size) {
        byte[] bytes = ("xx" + value).getBytes(StandardCharsets.US_ASCII);
        return range.parse(ByteBuffer.wrap(bytes), 2, bytes.length, size);
    }

    private String served(String value, long size) {
        int r = parse(value, size);
        return r == ByteRange.PARTIAL ? range.first() + "-" + range.last() : r == ByteRange.WHOLE ? "whole" : "416";
    }

    @Test
    void singleRangesOfEveryForm() {
        assertThat(served("bytes=0-0", 10)).isEqualTo("0-0");
        assertThat(served("bytes=2-5", 10)).isEqualTo("2-5");
        assertThat(served("bytes=2-", 10)).isEqualTo("2-9");
        assertThat(served("bytes=-3", 10)).isEqualTo("7-9");
        assertThat(served("BYTES=0-", 10)).isEqualTo("0-9");
        parse("bytes=2-5", 10);
        assertThat(range.length()).isEqualTo(4);
    }

    @Test
    void aLastBytePastTheEndIsClampedAndALongSuffixIsTheWholeFile() {
        assertThat(served("bytes=5-100", 10)).isEqualTo("5-9");
        assertThat(served("bytes=0-99999999999999999999999", 10)).isEqualTo("0-9");
        assertThat(served("bytes=-100", 10)).isEqualTo("0-9");
    }

    @Test
    void rangesStartingAtOrPastTheEndAndEmptySuffixesAreUnsatisfiable() {
        assertThat(served("bytes=10-", 10)).isEqualTo("416");
        assertThat(served("bytes=10-20", 10)).isEqualTo("416");
        assertThat(served("bytes=99999999999999999999999-", 10)).isEqualTo("416");
        assertThat(served("bytes=-0", 10)).isEqualTo("416");
        assertThat(served("bytes=0-", 0)).isEqualTo("416");
        assertThat(served("bytes=-5", 0)).isEqualTo("416");
    }

    @Test
    void severalRangesOtherUnitsAndBadSyntaxServeTheWholeFile() {
        assertThat(served("bytes=0-1,5-6", 10)).isEqualTo("whole");
        assertThat(served("bytes=0-1, 5-", 10)).isEqualTo("whole");
        assertThat(served("items=0-1", 10)).isEqualTo("whole");
        assertThat(served("bytes=5-2", 10)).isEqualTo("whole");
        assertThat(served("bytes=", 10)).isEqualTo("whole");
        assertThat(served("bytes=-", 10)).isEqualTo("whole");
        assertThat(served("bytes=a-b", 10)).isEqualTo("whole");
        assertThat(served("bytes=1-2x", 10)).isEqualTo("whole");
        assertThat(served("bytes=--1", 10)).isEqualTo("whole");
        assertThat(served("bytes", 10)).isEqualTo("whole");
    }
}
