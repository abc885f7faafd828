package io.gnetj;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Helpers shared by the engine's socket tests: loopback only, bounded waits. */
final class TestServers {
    static final Duration WAIT = Duration.ofSeconds(20);

    private TestServers() {
    }

    /** Starts {@code handler} on 127.0.0.1, port chosen by the system. */
    static Engine start(EventHandler handler, Options options) throws IOException {
        return Gnet.start(handler, "tcp://127.0.0.1:0", options);
    }

    static int port(Engine engine) {
        return ((InetSocketAddress) engine.addresses().get(0)).getPort();
    }

    /** A blocking client socket to the engine's first address, with a read timeout. */
    static Socket connect(Engine engine) throws IOException {
        Socket socket = new Socket();
        socket.connect(engine.addresses().get(0), 5_000);
        socket.setSoTimeout((int) WAIT.toMillis());
        socket.setTcpNoDelay(true);
        return socket;
    }

    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(out, off, n - off);
            if (r < 0) {
                throw new IOException("EOF after " + off + " of " + n + " bytes");
            }
            off += r;
        }
        return out;
    }

    static void write(Socket socket, byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** Polls {@code condition} until true or {@link #WAIT} passes; fails with {@code what}. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for: " + what);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }

    /** An echo handler: everything read is written back. */
    static final class Echo implements EventHandler {
        @Override
        public Action onTraffic(Conn conn) {
            conn.write(conn.next(-1));
            return Action.NONE;
        }
    }
}
