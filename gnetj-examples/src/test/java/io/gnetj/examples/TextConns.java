package io.gnetj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Action;
import io.gnetj.testing.MemoryConn;
import java.nio.charset.StandardCharsets;

/** Text in and out of a {@link MemoryConn}, for the tests of the text-protocol examples. */
public final class TextConns {

    private TextConns() {
    }

    /**
     * Delivers ISO-8859-1 text to an open connection and returns the {@link Action} the handler's
     * {@code onTraffic} returned; a handler that throws fails the test.
     */
    public static Action receive(MemoryConn c, String text) {
        assertThat(c.isOpen()).as("receiving on an open connection").isTrue();
        c.receive(text.getBytes(StandardCharsets.ISO_8859_1));
        if (c.closeCause() != null) {
            throw new AssertionError("the handler threw", c.closeCause());
        }
        return c.lastAction();
    }

    /** Everything written since the last call, as ISO-8859-1 text. */
    public static String output(MemoryConn c) {
        return new String(c.takeWritten(), StandardCharsets.ISO_8859_1);
    }
}
