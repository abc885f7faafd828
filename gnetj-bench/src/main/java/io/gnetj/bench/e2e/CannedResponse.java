package io.gnetj.bench.e2e;

import java.nio.charset.StandardCharsets;

/**
 * The "stripped" workload: every request is answered, once its end ({@code \r\n\r\n}) is seen,
 * with the same prebuilt response, without parsing anything else. It compares the transports
 * alone; the bytes match the plaintext responses of the full HTTP servers less the {@code Date}
 * header.
 */
final class CannedResponse {

    /** The response to every request. */
    static final byte[] BYTES = ("HTTP/1.1 200 OK\r\n"
            + "Server: bench\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 13\r\n"
            + "\r\n"
            + "Hello, World!").getBytes(StandardCharsets.US_ASCII);

    private CannedResponse() {
    }
}
