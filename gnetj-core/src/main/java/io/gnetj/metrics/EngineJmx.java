package io.gnetj.metrics;

import io.gnetj.Engine;
import io.gnetj.EngineMetrics;
import io.gnetj.LoopMetrics;
import java.lang.management.ManagementFactory;
import java.util.Objects;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers an engine's {@link EngineMXBean} with the platform MBean server, when asked: gnetj
 * registers nothing by itself.
 *
 * <pre>{@code
 * try (EngineJmx jmx = EngineJmx.register(engine, "api")) {   // io.gnetj:type=Engine,name=api
 *     ...
 * }                                                            // unregistered
 * }</pre>
 *
 * <p>Threading: any thread; {@link #close()} is idempotent.
 */
public final class EngineJmx implements AutoCloseable {

    private final ObjectName name;
    private final MBeanServer server;

    private EngineJmx(ObjectName name, MBeanServer server) {
        this.name = name;
        this.server = server;
    }

    /**
     * Registers {@code engine}'s MXBean as {@code io.gnetj:type=Engine,name=<name>} on the
     * platform MBean server. Any thread.
     *
     * @param engine the engine (a client's: {@code client.metrics()} through {@link #register(java.util.function.Supplier, String)})
     * @param name   the {@code name} key of the object name (quoted if needed)
     * @return the registration; close it to unregister
     * @throws IllegalStateException if the name is taken or invalid
     */
    public static EngineJmx register(Engine engine, String name) {
        Objects.requireNonNull(engine, "engine");
        return register(engine::metrics, name);
    }

    /**
     * Registers an MXBean over any source of snapshots, such as {@code client::metrics}. Any thread.
     *
     * @param source where each attribute read takes its snapshot
     * @param name   the {@code name} key of the object name (quoted if needed)
     * @return the registration; close it to unregister
     * @throws IllegalStateException if the name is taken or invalid
     */
    public static EngineJmx register(java.util.function.Supplier<EngineMetrics> source, String name) {
        Objects.requireNonNull(source, "source");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName objectName = new ObjectName("io.gnetj:type=Engine,name=" + ObjectName.quote(name));
            server.registerMBean(new View(source), objectName);
            return new EngineJmx(objectName, server);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register the gnetj MXBean '" + name + "': " + e, e);
        }
    }

    /** {@return the registered object name} Any thread. */
    public ObjectName objectName() {
        return name;
    }

    /** Unregisters the MXBean; a second call does nothing. Any thread. */
    @Override
    public void close() {
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException e) {
            // Unregistered meanwhile by someone else: nothing left to do.
        }
    }

    /** The MXBean: every attribute from a fresh snapshot. */
    private static final class View implements EngineMXBean {
        private final java.util.function.Supplier<EngineMetrics> source;

        View(java.util.function.Supplier<EngineMetrics> source) {
            this.source = source;
        }

        private LoopMetrics total() {
            return source.get().total();
        }

        @Override
        public int getConnectionsOpen() {
            return total().connectionsOpen();
        }

        @Override
        public long getConnectionsOpened() {
            return total().connectionsOpened();
        }

        @Override
        public long getConnectionsClosed() {
            return total().connectionsClosed();
        }

        @Override
        public long getClosedByPeer() {
            return total().closedByPeer();
        }

        @Override
        public long getClosedLocally() {
            return total().closedLocally();
        }

        @Override
        public long getClosedIdle() {
            return total().closedIdle();
        }

        @Override
        public long getClosedByLimit() {
            return total().closedByLimit();
        }

        @Override
        public long getClosedError() {
            return total().closedError();
        }

        @Override
        public long getBytesRead() {
            return total().bytesRead();
        }

        @Override
        public long getBytesWritten() {
            return total().bytesWritten();
        }

        @Override
        public long getTasksPending() {
            return total().tasksPending();
        }

        @Override
        public long getMaxLagNanos() {
            return total().maxLagNanos();
        }

        @Override
        public long getStalls() {
            return total().stalls();
        }

        @Override
        public double getBusyRatio() {
            return total().busyRatio();
        }

        @Override
        public long getRefusedWrites() {
            return total().refusedWrites();
        }

        @Override
        public long getPoolUsedBytes() {
            return source.get().bufferPool().usedBytes();
        }

        @Override
        public long getPoolRetainedBytes() {
            return source.get().bufferPool().retainedBytes();
        }
    }
}
