package io.gnetj.examples.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plain blocking server on 127.0.0.1 and a free port for the proxy to relay to: each accepted
 * socket runs {@link Script} on a thread of its own, and the first failure of any script is kept
 * and rethrown by {@link #awaitFinished}.
 *
 * <p>Threading: any thread may read the counters and call {@link #awaitFinished} and
 * {@link #close()}; scripts run on their own threads.
 */
final class TestUpstream implements AutoCloseable {

    /** What the server does with one accepted connection. */
    interface Script {
        void serve(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    private final List<Thread> sessions = new ArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private TestUpstream(ServerSocket server, Script script) {
        this.server = server;
        this.script = script;
        this.acceptor = new Thread(this::acceptLoop, "test-upstream-accept");
        this.acceptor.setDaemon(true);
    }

    static TestUpstream start(Script script) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        TestUpstream upstream = new TestUpstream(server, script);
        upstream.acceptor.start();
        return upstream;
    }

    /** The address to give the proxy's {@code --upstream}. */
    String address() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    int finished() {
        return finished.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            int n = accepted.incrementAndGet();
            Thread t = new Thread(() -> {
                try (s) {
                    s.setSoTimeout((int) Waits.BOUND.toMillis());
                    script.serve(s);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    finished.incrementAndGet();
                }
            }, "test-upstream-" + n);
            t.setDaemon(true);
            synchronized (sessions) {
                sessions.add(t);
            }
            t.start();
        }
    }

    /** Waits until {@code n} scripts have returned, then fails with the first script failure, if any. */
    void awaitFinished(int n) {
        Waits.until("the upstream's " + n + " connection(s) finished (" + finished() + " of " + accepted()
                + " accepted so far)", () -> finished() >= n || failure.get() != null);
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("the upstream's script failed: " + t, t);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        acceptor.join(TimeUnit.SECONDS.toMillis(10));
        List<Thread> all;
        synchronized (sessions) {
            all = new ArrayList<>(sessions);
        }
        for (Thread t : all) {
            t.join(Duration.ofSeconds(10).toMillis()); // their sockets time out at Waits.BOUND at worst
        }
    }

    /** Reads what the peer sends until its FIN; a reset also ends it. */
    static byte[] readUntilEof(Socket s) throws IOException {
        try {
            return s.getInputStream().readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];
        }
    }
}
