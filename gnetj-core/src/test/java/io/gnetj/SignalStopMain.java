package io.gnetj;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A README-style server for {@link SignalStopTest}, run in a child JVM: serves a unix socket
 * (args[0]) and an ephemeral TCP port with {@link Gnet#rotate} and default options, and prints a
 * marker line for each lifecycle event so the parent can check what ran after its signal.
 *
 * <p>Threading: markers are printed from engine threads; {@code System.out} is synchronized.
 */
public final class SignalStopMain {

    private SignalStopMain() {
    }

    /** Prints and flushes at once: the JVM may halt right after the shutdown hooks. */
    private static void mark(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws IOException {
        Gnet.rotate(new EventHandler() {
            @Override
            public Action onBoot(Engine engine) {
                mark("BOOT tcp=" + ((InetSocketAddress) engine.addresses().get(1)).getPort());
                return Action.NONE;
            }

            @Override
            public Action onOpen(Conn conn) {
                mark("OPEN");
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn conn) {
                conn.write(conn.next(-1));
                return Action.NONE;
            }

            @Override
            public Action onClose(Conn conn, Throwable cause) {
                mark("CLOSE cause=" + cause);
                return Action.NONE;
            }

            @Override
            public void onShutdown(Engine engine) {
                mark("SHUTDOWN");
            }
        }, List.of("unix://" + args[0], "tcp://127.0.0.1:0"), Options.defaults());
        mark("RUN RETURNED");
    }
}
