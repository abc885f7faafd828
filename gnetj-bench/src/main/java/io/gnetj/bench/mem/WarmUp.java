package io.gnetj.bench.mem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Whole exchanges with the server before anything is measured, one connection each, opened and
 * closed: they load the classes and fill the pools a served connection needs, so the baseline
 * is a server that has worked, and they check it speaks the case's protocol. Each request goes
 * out one byte per write, as the measured connections send theirs, so the code that keeps a
 * partial frame has run (and been compiled) before the baseline too: the JIT's memory is the
 * server's once, not the connections'.
 *
 * <p>Threading: the calling thread.
 */
final class WarmUp {

    private static final int SO_TIMEOUT_MS = 10_000;

    private WarmUp() {
    }

    /**
     * Runs {@code count} exchanges in turn; the first retries its connect for up to
     * {@code acceptTimeoutMillis} (the server may still be binding).
     *
     * @throws IOException if an exchange fails or the answer lacks the case's reply
     */
    static void run(ProbeCase c, int port, SSLContext tls, int count, long acceptTimeoutMillis) throws IOException {
        long deadline = System.nanoTime() + acceptTimeoutMillis * 1_000_000L;
        for (int i = 0; i < count; i++) {
            while (true) {
                try {
                    exchange(c, port, tls);
                    break;
                } catch (java.net.ConnectException e) {
                    if (i > 0 || System.nanoTime() > deadline) {
                        throw new IOException(c.label() + ": warm-up connection " + (i + 1) + " refused: " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    private static void exchange(ProbeCase c, int port, SSLContext tls) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), SO_TIMEOUT_MS);
            s.setSoTimeout(SO_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            Socket io = s;
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, "localhost", port, true);
                ssl.setUseClientMode(true);
                ssl.startHandshake();
                io = ssl;
            }
            try (Socket closing = io) {
                java.io.OutputStream out = closing.getOutputStream();
                for (byte b : c.message()) {
                    out.write(b);
                    out.flush();
                }
                awaitReply(c, closing.getInputStream());
            }
        }
    }

    private static void awaitReply(ProbeCase c, InputStream in) throws IOException {
        byte[] want = c.reply();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            while (indexOf(got.toByteArray(), want) < 0) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new IOException(c.label() + ": the server closed the warm-up connection; it answered '"
                            + ProbeCase.printable(got.toByteArray()) + "', expected '" + ProbeCase.printable(want) + "'");
                }
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException(c.label() + ": no '" + ProbeCase.printable(want) + "' within " + SO_TIMEOUT_MS
                    + " ms; the server answered '" + new String(got.toByteArray(), StandardCharsets.ISO_8859_1) + "'", e);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
