package io.gnetj.bench.mem;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One server the amplification probe measures, and the frame its connections leave unfinished.
 *
 * <p>Each case names a whole message of the example's protocol. The warm-up sends it whole and
 * checks the answer (so a server that does not speak the protocol fails the run instead of
 * producing a figure); the measured connections send only its first bytes, so the server holds an
 * unfinished frame for each of them.
 *
 * <table>
 *   <caption>cases</caption>
 *   <tr><th>case</th><th>example</th><th>whole message</th><th>held by default</th></tr>
 *   <tr><td>http</td><td>http</td><td>{@code GET /plaintext HTTP/1.1 ...}</td><td>{@code GET /pl} (7 B)</td></tr>
 *   <tr><td>redis</td><td>redis</td><td>{@code *1\r\n$4\r\nPING\r\n}</td><td>{@code *1\r\n$4\r\nPI} (10 B)</td></tr>
 *   <tr><td>length-field</td><td>length-field</td><td>header announcing 10 B, then 10 B</td><td>header and 3 B (7 B)</td></tr>
 *   <tr><td>http-tls</td><td>http --tls</td><td>as http, inside TLS</td><td>{@code GET /pl}, one byte per record</td></tr>
 * </table>
 *
 * The HTTP cases turn the header and idle timeouts off: the server must not close the
 * connections while they are measured. The redis and length-field examples have only the
 * engine's default idle timeout (5 minutes), longer than a measurement.
 */
enum ProbeCase {

    HTTP("http", "http", List.of("--header-timeout-ms", "0", "--idle-timeout-ms", "0"), false,
            ascii("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n"), 7, ascii("Hello, World!")),
    REDIS("redis", "redis", List.of(), false,
            ascii("*1\r\n$4\r\nPING\r\n"), 10, ascii("+PONG\r\n")),
    LENGTH_FIELD("length-field", "length-field", List.of(), false,
            concat(new byte[] {0, 0, 0, 10}, ascii("abcdefghij")), 7, concat(new byte[] {0, 0, 0, 10}, ascii("ABCDEFGHIJ"))),
    HTTP_TLS("http-tls", "http", List.of("--tls", "--header-timeout-ms", "0", "--idle-timeout-ms", "0"), true,
            ascii("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n"), 7, ascii("Hello, World!"));

    private final String label;
    private final String example;
    private final List<String> serverArgs;
    private final boolean tls;
    private final byte[] message;
    private final int defaultHeld;
    private final byte[] reply;

    ProbeCase(String label, String example, List<String> serverArgs, boolean tls, byte[] message, int defaultHeld,
              byte[] reply) {
        this.label = label;
        this.example = example;
        this.serverArgs = serverArgs;
        this.tls = tls;
        this.message = message;
        this.defaultHeld = defaultHeld;
        this.reply = reply;
    }

    /** The name on the command line and in the table. */
    String label() {
        return label;
    }

    /** The example the server runs ({@code java -jar gnetj-examples.jar EXAMPLE ...}). */
    String example() {
        return example;
    }

    /** The example's flags beyond host, port and loops. */
    List<String> serverArgs() {
        return serverArgs;
    }

    boolean tls() {
        return tls;
    }

    /** One whole message: the warm-up sends it and expects {@link #reply()} somewhere in the answer. */
    byte[] message() {
        return message.clone();
    }

    byte[] reply() {
        return reply.clone();
    }

    /** Bytes held per connection unless the command line says otherwise. */
    int defaultHeld() {
        return defaultHeld;
    }

    /**
     * The first {@code held} bytes of the message: a frame the server cannot finish.
     *
     * @throws IllegalArgumentException unless {@code 1 <= held < } the message's length
     */
    byte[] partial(int held) {
        if (held < 1 || held >= message.length) {
            throw new IllegalArgumentException(label + ": bytes held must be 1.." + (message.length - 1)
                    + " (a whole message would be answered, not held), not " + held);
        }
        return Arrays.copyOf(message, held);
    }

    static ProbeCase byLabel(String label) {
        for (ProbeCase c : values()) {
            if (c.label.equals(label)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown case '" + label + "'; cases: " + labels());
    }

    static String labels() {
        StringBuilder sb = new StringBuilder();
        for (ProbeCase c : values()) {
            sb.append(sb.length() == 0 ? "" : ",").append(c.label);
        }
        return sb.toString();
    }

    /** What the held bytes look like in the table: printable ASCII as is, the rest as \xNN. */
    static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            int v = b & 0xff;
            if (v == '\r') {
                sb.append("\\r");
            } else if (v == '\n') {
                sb.append("\\n");
            } else if (v >= 0x20 && v < 0x7f && v != '|' && v != '`') {
                sb.append((char) v);
            } else {
                sb.append(String.format("\\x%02x", v));
            }
        }
        return sb.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
