package io.gnetj.bench.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Checks, before any load, that a server answers what its workload promises, over a plain
 * socket: so a broken server fails the run instead of producing a fast but meaningless figure.
 *
 * <ul>
 *   <li>echo: 4 KiB sent come back byte for byte;
 *   <li>http: two pipelined {@code GET /plaintext} get two {@code 200} responses with
 *       {@code Server}, {@code Date}, {@code Content-Type: text/plain}, {@code Content-Length: 13}
 *       and the body {@code Hello, World!};
 *   <li>stripped: two pipelined requests get two copies of {@link CannedResponse}.
 * </ul>
 */
final class Probe {

    static final String REQUEST = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n";

    private Probe() {
    }

    static void check(String workload, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            switch (workload) {
                case "echo": echo(s); break;
                case "http": http(s, true); break;
                case "stripped": http(s, false); break;
                default: throw new IllegalArgumentException(workload);
            }
        }
    }

    private static void echo(Socket s) throws IOException {
        byte[] sent = new byte[4096];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) ('a' + i % 26);
        }
        s.getOutputStream().write(sent);
        byte[] got = s.getInputStream().readNBytes(sent.length);
        if (!Arrays.equals(sent, got)) {
            throw new IOException("echo: sent " + sent.length + " bytes, got back " + got.length + " that differ");
        }
    }

    private static void http(Socket s, boolean full) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((REQUEST + REQUEST).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        for (int i = 0; i < 2; i++) {
            String head = readHead(in);
            int length = -1;
            boolean server = false;
            boolean date = false;
            boolean textPlain = false;
            String[] lines = head.split("\r\n");
            if (!lines[0].equals("HTTP/1.1 200 OK")) {
                throw new IOException("response " + (i + 1) + ": status line '" + lines[0] + "'");
            }
            for (int l = 1; l < lines.length; l++) {
                int colon = lines[l].indexOf(':');
                String name = lines[l].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[l].substring(colon + 1).trim();
                switch (name) {
                    case "content-length": length = Integer.parseInt(value); break;
                    case "server": server = true; break;
                    case "date": date = true; break;
                    case "content-type": textPlain = value.equals("text/plain"); break;
                    default: break;
                }
            }
            String body = new String(in.readNBytes(Math.max(length, 0)), StandardCharsets.US_ASCII);
            if (length != 13 || !body.equals("Hello, World!") || !server || !textPlain || (full && !date)) {
                throw new IOException("response " + (i + 1) + " is not the plaintext answer:\n" + head + body);
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a response head: " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String s = head.toString(StandardCharsets.US_ASCII);
        return s.substring(0, s.length() - 4);
    }
}
