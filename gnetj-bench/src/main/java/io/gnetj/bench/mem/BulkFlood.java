package io.gnetj.bench.mem;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A flood of big unfinished frames against a running redis example: {@code clients} connections
 * each send the header of a {@code SET k <bulk>} and then as much of the bulk as the server takes,
 * never its last byte, until no connection made progress for three seconds; then a {@code PING}
 * on a fresh connection says whether the server still serves. What the server did meanwhile (its
 * log, its RSS) is for the caller to read: see docs/reliability.md, "The memory budget".
 *
 * <pre>
 *   java -Xmx256m -jar gnetj-examples/target/gnetj-examples.jar redis --port 6390 --loops 2 &amp;
 *   java -cp gnetj-bench/target/gnetj-bench.jar io.gnetj.bench.mem.BulkFlood 6390 100 8388608
 * </pre>
 *
 * <p>Loopback only. Threading: one thread.
 */
public final class BulkFlood {

    private BulkFlood() {
    }

    /** Arguments: port, clients, bulk size in bytes. */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int clients = Integer.parseInt(args[1]);
        int bulk = Integer.parseInt(args[2]);
        byte[] head = ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + bulk + "\r\n").getBytes(StandardCharsets.US_ASCII);
        SocketChannel[] channels = new SocketChannel[clients];
        long[] sent = new long[clients];
        boolean[] closed = new boolean[clients];
        for (int i = 0; i < clients; i++) {
            channels[i] = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channels[i].configureBlocking(false);
            channels[i].write(ByteBuffer.wrap(head));
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        long unfinished = bulk - 1L;
        long lastProgress = System.nanoTime();
        while (System.nanoTime() - lastProgress < 3_000_000_000L) {
            for (int i = 0; i < clients; i++) {
                if (closed[i] || sent[i] >= unfinished) {
                    continue;
                }
                chunk.clear().limit((int) Math.min(chunk.capacity(), unfinished - sent[i]));
                try {
                    int n = channels[i].write(chunk);
                    if (n > 0) {
                        sent[i] += n;
                        lastProgress = System.nanoTime();
                    }
                } catch (IOException e) {
                    closed[i] = true;
                }
            }
        }
        long total = 0;
        int byServer = 0;
        for (int i = 0; i < clients; i++) {
            total += sent[i];
            if (!closed[i]) {
                try {
                    closed[i] = channels[i].read(ByteBuffer.allocate(64)) < 0;
                } catch (IOException e) {
                    closed[i] = true;
                }
            }
            if (closed[i]) {
                byServer++;
            }
            channels[i].close();
        }
        System.out.printf("%d clients sent %d MiB of unfinished %d-byte bulks; %d closed by the server%n",
                clients, total >> 20, bulk, byServer);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            System.out.println("PING -> " + new String(s.getInputStream().readNBytes(7), StandardCharsets.US_ASCII).trim());
        }
    }
}
