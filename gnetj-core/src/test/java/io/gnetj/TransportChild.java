package io.gnetj;

/**
 * A child JVM for {@link TransportTest}: starts an engine with the transport the
 * {@code io.gnetj.transport} property asks for, prints which one it got, and stops.
 */
public final class TransportChild {

    private TransportChild() {
    }

    /**
     * Starts, reports and stops one engine. Main thread.
     *
     * @param args unused
     * @throws Exception if the engine cannot start
     */
    public static void main(String[] args) throws Exception {
        Engine engine = Gnet.start(new EventHandler() { }, "tcp://127.0.0.1:0", Options.builder().stopOnSignal(false).build());
        System.out.println("TRANSPORT " + engine.transport());
        engine.stop();
    }
}
