package io.gnetj.bench.e2e;

import io.gnetj.Transport;
import io.gnetj.examples.Main;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one of gnetj's examples ({@code echo}, {@code http}) in this JVM through the examples
 * launcher, exactly as {@code java -jar gnetj-examples.jar NAME --port N --loops N} would, so the
 * benchmark measures the code users run.
 *
 * <p>Threading: the launcher blocks its own thread until the process exits; the shutdown hook it
 * installs stops the engine.
 */
final class ExampleServer {

    private ExampleServer() {
    }

    static ServerMain.Running start(String example, int port, int loops, Transport transport) throws Exception {
        String[] args = {example, "--host", "127.0.0.1", "--port", Integer.toString(port), "--loops", Integer.toString(loops),
            "--transport", transport.name().toLowerCase(java.util.Locale.ROOT)};
        AtomicInteger exit = new AtomicInteger(Integer.MIN_VALUE);
        // The launcher's progress goes to stderr: stdout is the runner's protocol channel.
        Thread launcher = new Thread(() -> exit.set(Main.run(args, System.err, System.err)), "examples-launcher");
        launcher.start();

        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!accepts(port)) {
            if (exit.get() != Integer.MIN_VALUE) {
                throw new IllegalStateException("example " + example + " exited with " + exit.get() + " before listening");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("example " + example + " did not listen on port " + port + " within 30 s");
            }
            Thread.sleep(20);
        }
        // System.exit in ServerMain runs the launcher's shutdown hook, which stops the engine.
        return () -> { };
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
