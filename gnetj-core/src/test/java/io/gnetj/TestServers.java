package io.gnetj;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
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
        return connect(engine.addresses().get(0));
    }

    /** A blocking client socket to {@code address}, with a read timeout. */
    static Socket connect(SocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, 5_000);
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    /**
     * A client socket with small kernel buffers (set before connecting, so the kernel does not
     * auto-tune them), for tests that need the peer to stop absorbing bytes early.
     */
    static Socket connectSmallBuffers(Engine engine, int bytes) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setReceiveBufferSize(bytes);
            socket.setSendBufferSize(bytes);
            socket.connect(engine.addresses().get(0), 5_000);
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
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

    /**
     * Reads until the peer closes; returns what was read. Fails (with the bytes so far in the
     * message) if more than {@code max} bytes come.
     */
    static byte[] readToEof(InputStream in, int max) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        for (;;) {
            int r = in.read(chunk);
            if (r < 0) {
                return out.toByteArray();
            }
            out.write(chunk, 0, r);
            if (out.size() > max) {
                throw new AssertionError("expected EOF after at most " + max + " bytes, got " + out.size());
            }
        }
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

    /** Names of live threads whose name starts with {@code gnetj-}. */
    static Set<String> gnetjThreads() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("gnetj-")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /** Stops {@code engine} if it was started; for finally blocks. */
    static void stopQuietly(Engine engine) {
        if (engine != null) {
            engine.stop();
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
