package io.gnetj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds a byte stream to one of the examples' incremental parsers the way their handlers do (the
 * bytes of a message stay in place until it is complete, then are consumed), arriving in chunks,
 * and checks the contract both parsers share on every call: the parser never moves the buffer,
 * never claims more bytes than it was given, stays in error once there, and ends a stream in a
 * bounded number of calls. The fuzz tests compare the description of a stream fed whole with
 * that of the same stream fed in chunks.
 */
public final class StreamFeed {

    /** A parser's answer meaning "incomplete: call again with more bytes". */
    public static final int NEED_MORE = 0;
    /** A parser's answer meaning "bad input: this stream is over". */
    public static final int ERROR = -1;

    /** The parser under test and how to describe what it found. */
    public interface Target {
        /** One call of the parser on {@code buf}'s position..limit; {@link #NEED_MORE}, {@link #ERROR} or bytes claimed. */
        int parse(ByteBuffer buf);

        /** Describes (and checks) the message of {@code n} bytes at {@code start} just parsed. */
        String describe(ByteBuffer buf, int start, int n);

        /** Describes (and checks) the parser's error verdict. */
        String describeError();
    }

    private StreamFeed() {
    }

    /**
     * Feeds {@code stream} to {@code target} {@code chunk} bytes at a time and describes every
     * result in order: each message, then an error or how many bytes were left incomplete.
     */
    public static List<String> run(byte[] stream, int chunk, Target target) {
        List<String> results = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(stream);
        int start = 0;
        int received = 0;
        int calls = 0;
        while (true) {
            received = Math.min(stream.length, received + chunk);
            while (start < received) {
                buf.limit(received).position(start);
                int n = target.parse(buf);
                calls++;
                assertThat(calls).as("parse calls for %d bytes", stream.length).isLessThanOrEqualTo(2 * stream.length + 2);
                assertThat(buf.position()).as("position after parse").isEqualTo(start);
                assertThat(buf.limit()).as("limit after parse").isEqualTo(received);
                assertThat(n).as("bytes claimed of %d given", received - start).isBetween(ERROR, received - start);
                if (n == ERROR) {
                    results.add("error " + target.describeError());
                    assertThat(target.parse(buf)).as("a parser in error stays in error").isEqualTo(ERROR);
                    return results;
                }
                if (n == NEED_MORE) {
                    break;
                }
                results.add(target.describe(buf, start, n));
                start += n;
            }
            if (received == stream.length) {
                results.add("incomplete " + (received - start));
                return results;
            }
        }
    }
}
