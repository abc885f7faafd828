package com.example.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gnetj.testing.MemoryConn;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** docs/guide.md's MemoryConn example: the handler tested without a socket. */
class EchoHandlerTest {

    @Test
    void echoesWhatArrives() {
        MemoryConn conn = new MemoryConn(new EchoHandler()).open();

        conn.receive("ping\n".getBytes(StandardCharsets.US_ASCII));

        assertArrayEquals("ping\n".getBytes(StandardCharsets.US_ASCII), conn.takeWritten());
        assertTrue(conn.isOpen());
        assertNull(conn.closeCause());
    }
}
