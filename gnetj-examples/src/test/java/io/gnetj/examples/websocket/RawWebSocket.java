package io.gnetj.examples.websocket;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal blocking WebSocket client for tests: the opening handshake, masked frames out,
 * frames in. Every read is bounded by the socket's timeout.
 */
final class RawWebSocket implements AutoCloseable {

    /** A frame read from the server. */
    record Frame(int opcode, byte[] payload) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** The server's answer to the opening request, head only. */
    final String responseHead;

    private RawWebSocket(Socket socket, String responseHead) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.responseHead = responseHead;
    }

    /**
     * Connects and sends {@code request}; returns once the response head is read.
     *
     * @param receiveBuffer SO_RCVBUF to set before connecting, or 0 for the default
     */
    static RawWebSocket open(int port, String request, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.setSoTimeout(30_000);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = s.getInputStream().read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return new RawWebSocket(s, head.toString(StandardCharsets.ISO_8859_1));
    }

    /** An opening request for {@code path}, with extra header lines. */
    static String upgradeRequest(String path, String... headers) {
        StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** Connects to {@code path} and checks the answer is 101. */
    static RawWebSocket connect(int port, String path, int receiveBuffer) throws IOException {
        RawWebSocket ws = open(port, upgradeRequest(path), receiveBuffer);
        if (!ws.responseHead.startsWith("HTTP/1.1 101 ")) {
            ws.close();
            throw new IOException("no upgrade: " + ws.responseHead);
        }
        return ws;
    }

    /** Sends one final, masked frame. */
    void send(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write(0x80 | opcode);
        if (payload.length <= 125) {
            f.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.writeBytes(mask);
        byte[] masked = payload.clone();
        for (int i = 0; i < masked.length; i++) {
            masked[i] ^= mask[i & 3];
        }
        f.writeBytes(masked);
        out.write(f.toByteArray());
    }

    /** Reads one frame; {@link EOFException} at the end of the stream. */
    Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(len)];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    /** Reads and throws away bytes until the end of the stream; returns how many. */
    long drainToEnd() throws IOException {
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try {
            for (int r; (r = in.read(buf)) >= 0; ) {
                n += r;
            }
        } catch (java.net.SocketException e) {
            // a reset after an abort ends the stream as well
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
