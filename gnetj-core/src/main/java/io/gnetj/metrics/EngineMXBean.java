package io.gnetj.metrics;

/**
 * An engine's {@link io.gnetj.EngineMetrics} totals as a JMX MXBean, registered by
 * {@link EngineJmx#register}: what jconsole, VisualVM or a JMX exporter shows under
 * {@code io.gnetj:type=Engine,name=...}. Each attribute reads a fresh snapshot (the loops pay
 * nothing for it); per-loop figures are in {@link io.gnetj.Engine#metrics()}.
 *
 * <p>Threading: any thread (JMX calls come from its own threads).
 */
public interface EngineMXBean {

    /** {@return connections on the engine's loops now} Any thread. */
    int getConnectionsOpen();

    /** {@return connections registered with the loops so far} Any thread. */
    long getConnectionsOpened();

    /** {@return connections closed so far, whatever the cause} Any thread. */
    long getConnectionsClosed();

    /** {@return closes the peer began} Any thread. */
    long getClosedByPeer();

    /** {@return closes the application asked for} Any thread. */
    long getClosedLocally();

    /** {@return closes by an idle timeout} Any thread. */
    long getClosedIdle();

    /** {@return closes by an inbound, outbound or memory limit} Any thread. */
    long getClosedByLimit();

    /** {@return closes by an error} Any thread. */
    long getClosedError();

    /** {@return bytes read from sockets} Any thread. */
    long getBytesRead();

    /** {@return bytes written to sockets} Any thread. */
    long getBytesWritten();

    /** {@return tasks queued on the loops now} Any thread. */
    long getTasksPending();

    /** {@return the largest lag a loop's probe task saw, in nanoseconds} Any thread. */
    long getMaxLagNanos();

    /** {@return the loops' stalls over the threshold} Any thread. */
    long getStalls();

    /** {@return the mean share of their life the loops were busy, 0 to 1} Any thread. */
    double getBusyRatio();

    /** {@return writes refused by maxOutboundBuffered} Any thread. */
    long getRefusedWrites();

    /** {@return pooled direct memory lent out, in bytes} Any thread. */
    long getPoolUsedBytes();

    /** {@return pooled direct memory kept idle, in bytes} Any thread. */
    long getPoolRetainedBytes();
}
