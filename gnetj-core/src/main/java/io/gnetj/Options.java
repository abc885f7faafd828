package io.gnetj;

import io.gnetj.buffer.BufferPool;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything an engine or client can be told, immutable; built with {@link #builder()}. Every
 * default lives in {@link Builder}'s field initialisers and nowhere else.
 *
 * <p>Threading: immutable, safe to share: every method may be called from any thread.
 */
public final class Options {

    private final boolean multicore;
    private final int numEventLoops;
    private final LoadBalancing loadBalancing;
    private final boolean reuseAddr;
    private final boolean reusePort;
    private final boolean halfClose;
    private final boolean proxyProtocol;
    private final Duration proxyProtocolTimeout;
    private final boolean pauseReadingWhenUnwritable;
    private final int readBufferCap;
    private final int writeBufferCap;
    private final boolean ticker;
    private final boolean tcpNoDelay;
    private final Duration tcpKeepAlive;
    private final Duration tcpKeepAliveInterval;
    private final int tcpKeepAliveCount;
    private final int socketRecvBuffer;
    private final int socketSendBuffer;
    private final int backlog;
    private final String multicastInterface;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final Duration readIdleTimeout;
    private final Duration writeIdleTimeout;
    private final int maxInboundBuffered;
    private final int writeBufferHighWaterMark;
    private final int writeBufferLowWaterMark;
    private final int maxOutboundBuffered;
    private final long memoryBudget;
    /** Whether the water marks were set (so they are not scaled down to the outbound cap). */
    private final boolean waterMarksSet;
    private final Duration closeTimeout;
    private final Duration connectTimeout;
    private final BufferPool bufferPool;
    private final TlsConfig tls;
    private final boolean stopOnSignal;
    private final Transport transport;

    private Options(Builder b, int low, int high) {
        this.multicore = b.multicore;
        this.numEventLoops = b.numEventLoops;
        this.loadBalancing = b.loadBalancing;
        this.reuseAddr = b.reuseAddr;
        this.reusePort = b.reusePort;
        this.halfClose = b.halfClose;
        this.proxyProtocol = b.proxyProtocol;
        this.proxyProtocolTimeout = b.proxyProtocolTimeout;
        this.pauseReadingWhenUnwritable = b.pauseReadingWhenUnwritable;
        this.readBufferCap = b.readBufferCap;
        this.writeBufferCap = b.writeBufferCap;
        this.ticker = b.ticker;
        this.tcpNoDelay = b.tcpNoDelay;
        this.tcpKeepAlive = b.tcpKeepAlive;
        this.tcpKeepAliveInterval = b.tcpKeepAliveInterval;
        this.tcpKeepAliveCount = b.tcpKeepAliveCount;
        this.socketRecvBuffer = b.socketRecvBuffer;
        this.socketSendBuffer = b.socketSendBuffer;
        this.backlog = b.backlog;
        this.multicastInterface = b.multicastInterface;
        this.maxConnections = b.maxConnections;
        this.idleTimeout = b.idleTimeout;
        this.readIdleTimeout = b.readIdleTimeout;
        this.writeIdleTimeout = b.writeIdleTimeout;
        this.maxInboundBuffered = b.maxInboundBuffered;
        this.writeBufferHighWaterMark = high;
        this.writeBufferLowWaterMark = low;
        this.maxOutboundBuffered = b.maxOutboundBuffered;
        this.memoryBudget = b.memoryBudget > 0 ? b.memoryBudget : DefaultMemoryBudget.BYTES;
        this.waterMarksSet = b.waterMarksSet;
        this.closeTimeout = b.closeTimeout;
        this.connectTimeout = b.connectTimeout;
        this.bufferPool = b.bufferPool;
        this.tls = b.tls;
        this.stopOnSignal = b.stopOnSignal;
        this.transport = b.transport;
    }

    /** A builder holding every default. Any thread. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every default. Any thread. */
    public static Options defaults() {
        return new Builder().build();
    }

    /** A new builder starting from these options; these options do not change. Any thread. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.multicore = multicore;
        b.numEventLoops = numEventLoops;
        b.loadBalancing = loadBalancing;
        b.reuseAddr = reuseAddr;
        b.reusePort = reusePort;
        b.halfClose = halfClose;
        b.proxyProtocol = proxyProtocol;
        b.proxyProtocolTimeout = proxyProtocolTimeout;
        b.pauseReadingWhenUnwritable = pauseReadingWhenUnwritable;
        b.readBufferCap = readBufferCap;
        b.writeBufferCap = writeBufferCap;
        b.ticker = ticker;
        b.tcpNoDelay = tcpNoDelay;
        b.tcpKeepAlive = tcpKeepAlive;
        b.tcpKeepAliveInterval = tcpKeepAliveInterval;
        b.tcpKeepAliveCount = tcpKeepAliveCount;
        b.socketRecvBuffer = socketRecvBuffer;
        b.socketSendBuffer = socketSendBuffer;
        b.backlog = backlog;
        b.multicastInterface = multicastInterface;
        b.maxConnections = maxConnections;
        b.idleTimeout = idleTimeout;
        b.readIdleTimeout = readIdleTimeout;
        b.writeIdleTimeout = writeIdleTimeout;
        b.maxInboundBuffered = maxInboundBuffered;
        if (waterMarksSet) { // else the builder's defaults, scaled again to whatever cap it ends with
            b.writeBufferHighWaterMark = writeBufferHighWaterMark;
            b.writeBufferLowWaterMark = writeBufferLowWaterMark;
        }
        b.maxOutboundBuffered = maxOutboundBuffered;
        b.memoryBudget = memoryBudget;
        b.waterMarksSet = waterMarksSet;
        b.closeTimeout = closeTimeout;
        b.connectTimeout = connectTimeout;
        b.bufferPool = bufferPool;
        b.tls = tls;
        b.stopOnSignal = stopOnSignal;
        b.transport = transport;
        return b;
    }

    /**
     * Whether to use one event loop per core when {@link #numEventLoops()} is not set. Default
     * {@code false}. Any thread.
     */
    public boolean multicore() { return multicore; }

    /** Event loops asked for; 0 means "decide from {@link #multicore()}". Default 0. Any thread. */
    public int numEventLoops() { return numEventLoops; }

    /**
     * Event loops the engine will run: {@link #numEventLoops()} if set, else cores if multicore,
     * else 1. Any thread.
     */
    public int effectiveEventLoops() {
        if (numEventLoops > 0) {
            return numEventLoops;
        }
        return multicore ? Runtime.getRuntime().availableProcessors() : 1;
    }

    /** How accepted connections are spread over loops. Default {@link LoadBalancing#ROUND_ROBIN}. Any thread. */
    public LoadBalancing loadBalancing() { return loadBalancing; }

    /** {@code SO_REUSEADDR} on listeners. Default {@code true}. Any thread. */
    public boolean reuseAddr() { return reuseAddr; }

    /**
     * One {@code SO_REUSEPORT} TCP listener per loop, each loop accepting by itself, balanced by
     * the kernel (Linux). UDP addresses do not need it: on Linux every loop gets its own
     * {@code SO_REUSEPORT} socket on a UDP address anyway, and elsewhere one socket serves it
     * (see {@link Gnet}). Default {@code false}. Any thread.
     */
    public boolean reusePort() { return reusePort; }

    /**
     * Whether a plaintext TCP or unix connection whose peer shuts down its output (sends FIN)
     * stays open for writing: {@link EventHandler#onInputClosed} runs instead of the connection
     * closing, and the handler ends its side with {@link Conn#shutdownOutput()} or
     * {@link Conn#close()} (as Netty's {@code ALLOW_HALF_CLOSURE}; a proxy needs it). TLS
     * connections always close at the peer's end of input. Default {@code false}: end of input
     * closes the connection, after the queued bytes are sent. Any thread.
     */
    public boolean halfClose() { return halfClose; }

    /**
     * Whether every TCP, TLS and unix listener of the engine reads a PROXY protocol header
     * (HAProxy's, version 1 or 2, told apart by their first bytes) from each accepted connection
     * before it opens, as a server behind HAProxy or a cloud load balancer with PROXY enabled
     * must: {@link Conn#remoteAddress()} then reports the client, and {@link Conn#proxyHeader()}
     * the rest. A connection without a valid header within {@link #proxyProtocolTimeout()} is
     * closed before any handler sees it. Turn it on only behind such a balancer: anyone who can
     * reach the port directly can claim any address. Default {@code false}. Any thread.
     */
    public boolean proxyProtocol() { return proxyProtocol; }

    /**
     * How long an accepted connection may take to send its whole PROXY header (with
     * {@link #proxyProtocol()} on). Default 5 s. Any thread.
     */
    public Duration proxyProtocolTimeout() { return proxyProtocolTimeout; }

    /**
     * Whether the engine stops reading from a connection while it is not writable (its queued
     * outbound bytes went past {@link #writeBufferHighWaterMark()} and have not drained to
     * {@link #writeBufferLowWaterMark()}). Default {@code true}: a request/response server then
     * cannot be made to queue without bound by a client that pipelines requests and never reads
     * the answers. A relay turns it off and decides itself, in
     * {@link EventHandler#onWritabilityChanged}, which side to pause: there the bytes queued to
     * one connection come from the other, and pausing the slow side's own input would tie the two
     * directions together (a peer that writes a long answer while we write to it would never be
     * read again). With it off, {@link #maxOutboundBuffered()} still bounds the queue. Any thread.
     */
    public boolean pauseReadingWhenUnwritable() { return pauseReadingWhenUnwritable; }

    /** Size of each loop's shared read buffer: the most one read takes. Default 64 KiB. Any thread. */
    public int readBufferCap() { return readBufferCap; }

    /** Outbound bytes kept in one contiguous ring before spilling into a linked list. Default 64 KiB. Any thread. */
    public int writeBufferCap() { return writeBufferCap; }

    /** Whether {@link EventHandler#onTick()} runs. Default {@code false}. Any thread. */
    public boolean ticker() { return ticker; }

    /** {@code TCP_NODELAY} on accepted and dialed connections. Default {@code true}. Any thread. */
    public boolean tcpNoDelay() { return tcpNoDelay; }

    /**
     * Idle time before keep-alive probes; {@link Duration#ZERO} leaves {@code SO_KEEPALIVE} off.
     * Default off. Any thread.
     */
    public Duration tcpKeepAlive() { return tcpKeepAlive; }

    /**
     * Interval between keep-alive probes. Zero: a fifth of {@link #tcpKeepAlive()} (at least a
     * second), as gnet does. Default zero. Any thread.
     */
    public Duration tcpKeepAliveInterval() { return tcpKeepAliveInterval; }

    /** Keep-alive probes before the connection is dropped. 0: 5, as gnet does. Default 0. Any thread. */
    public int tcpKeepAliveCount() { return tcpKeepAliveCount; }

    /** {@code SO_RCVBUF}; 0 keeps the system's. Default 0. Any thread. */
    public int socketRecvBuffer() { return socketRecvBuffer; }

    /** {@code SO_SNDBUF}; 0 keeps the system's. Default 0. Any thread. */
    public int socketSendBuffer() { return socketSendBuffer; }

    /** Listen backlog. Default 1024. Any thread. */
    public int backlog() { return backlog; }

    /** Network interface name for UDP multicast, or {@code null}. Default {@code null}. Any thread. */
    public String multicastInterface() { return multicastInterface; }

    /**
     * Open connections the engine allows at once; one more is accepted and closed at once (and
     * logged, at most once a second). Default 100,000. Any thread.
     */
    public int maxConnections() { return maxConnections; }

    /**
     * A stream connection with no reads or writes for this long is idle
     * ({@link IdleState#ALL}): {@link EventHandler#onIdle} runs, and by default the connection is
     * closed with {@link IdleTimeoutException}. {@link Duration#ZERO} disables it. Checked by a
     * sweep, so it fires up to one sweep interval (a quarter of the shortest timeout, at most one
     * second) late. Default 5 minutes. Any thread.
     */
    public Duration idleTimeout() { return idleTimeout; }

    /**
     * A stream connection that received nothing for this long is read-idle
     * ({@link IdleState#READ}; Netty's reader idle): {@link EventHandler#onIdle} runs, closing it
     * by default. Zero disables it. Checked as {@link #idleTimeout()}. Default zero. Any thread.
     */
    public Duration readIdleTimeout() { return readIdleTimeout; }

    /**
     * A stream connection that sent nothing for this long is write-idle ({@link IdleState#WRITE}):
     * no byte went to the socket, whether nothing was written or the peer takes nothing.
     * {@link EventHandler#onIdle} runs, closing it by default. Zero disables it. Checked as
     * {@link #idleTimeout()}. Default zero. Any thread.
     */
    public Duration writeIdleTimeout() { return writeIdleTimeout; }

    /**
     * Most inbound bytes a connection may hold unconsumed; past it the connection is closed with
     * {@link InboundLimitException}. Default 4 MiB. Any thread.
     */
    public int maxInboundBuffered() { return maxInboundBuffered; }

    /**
     * Queued outbound bytes at which the connection turns unwritable ({@link Conn#isWritable()},
     * {@link EventHandler#onWritabilityChanged}) and, unless
     * {@link #pauseReadingWhenUnwritable()} is off, the loop stops reading from it (the handler's
     * peer is slower than its answers). Default 64 KiB, as Netty's. Any thread.
     */
    public int writeBufferHighWaterMark() { return writeBufferHighWaterMark; }

    /**
     * Queued outbound bytes under which the connection is writable again (and reading resumes).
     * Default 32 KiB, as Netty's. Any thread.
     */
    public int writeBufferLowWaterMark() { return writeBufferLowWaterMark; }

    /**
     * Most queued outbound bytes. A write past it is refused with {@link OutboundLimitException}
     * and closes the connection (thrown by {@code write}, given to an {@code asyncWrite}'s callback,
     * and the cause {@code onClose} receives): a stream never goes on after a hole. Default 16 MiB.
     * Any thread.
     */
    public int maxOutboundBuffered() { return maxOutboundBuffered; }

    /**
     * Pooled memory all the engine's connections may hold together (inbound, outbound and TLS
     * buffers), shared equally among the event loops. Past a loop's share, reading stops on its
     * connections holding the most; those still holding the most two sweeps later (at most two
     * seconds) while the loop is over its share are closed with {@link MemoryBudgetException}.
     * Reading resumes under three quarters of the share. Default: half the JVM's direct memory
     * limit ({@code -XX:MaxDirectMemorySize}, which defaults to the heap limit), so the budget
     * trips before direct memory runs out. Any thread.
     */
    public long memoryBudget() { return memoryBudget; }

    /**
     * How long {@link Conn#close()} waits for queued bytes to be sent before closing anyway.
     * Default 5 s. Any thread.
     */
    public Duration closeTimeout() { return closeTimeout; }

    /**
     * How long a client's dial may take before it fails with {@link java.net.ConnectException}.
     * Default 10 s. Any thread.
     */
    public Duration connectTimeout() { return connectTimeout; }

    /** The pool for connection buffers, or {@code null} for one pool per engine. Default {@code null}. Any thread. */
    public BufferPool bufferPool() { return bufferPool; }

    /**
     * TLS for the addresses that ask for it ({@code tls://}, {@code tls4://}, {@code tls6://}): a
     * server serves those with it, a client dials them with it; {@code null} when TLS is not used.
     * Plain addresses of the same engine stay plain. Default {@code null}. Any thread.
     */
    public TlsConfig tls() { return tls; }

    /**
     * Whether {@link Gnet#run} and {@link Gnet#rotate} stop the engine when the JVM shuts down:
     * on SIGINT (Ctrl-C), SIGTERM ({@code kill}, {@code docker stop}, Kubernetes) or
     * {@code System.exit}. A JVM shutdown hook then calls {@link Engine#stop(java.time.Duration)}
     * with {@link #closeTimeout()} and waits for it, so every connection gets {@code onClose},
     * {@code onShutdown} runs and unix socket files are removed before the process exits. The
     * hook is removed when the engine stops otherwise. {@link Gnet#start} never installs it: an
     * application embedding an engine owns its shutdown. Default {@code true}. Any thread.
     */
    public boolean stopOnSignal() { return stopOnSignal; }

    /**
     * The transport under the connections: {@link Transport#NIO}, {@link Transport#EPOLL} or
     * {@link Transport#AUTO} (epoll where it runs quietly, NIO elsewhere; see {@link Transport}).
     * Default: the {@value Transport#PROPERTY} system property, else {@code AUTO}. Any thread.
     */
    public Transport transport() { return transport; }

    @Override
    public String toString() {
        return "Options{loops=" + effectiveEventLoops() + ", loadBalancing=" + loadBalancing
                + ", reusePort=" + reusePort + ", readBufferCap=" + readBufferCap
                + ", writeBufferCap=" + writeBufferCap + ", ticker=" + ticker
                + ", tcpNoDelay=" + tcpNoDelay + ", maxConnections=" + maxConnections
                + ", idleTimeout=" + idleTimeout + ", readIdleTimeout=" + readIdleTimeout
                + ", writeIdleTimeout=" + writeIdleTimeout + ", maxInboundBuffered=" + maxInboundBuffered
                + ", writeBufferWaterMarks=" + writeBufferLowWaterMark + ".." + writeBufferHighWaterMark
                + ", maxOutboundBuffered=" + maxOutboundBuffered + ", memoryBudget=" + memoryBudget
                + ", closeTimeout=" + closeTimeout + ", connectTimeout=" + connectTimeout
                + ", stopOnSignal=" + stopOnSignal + ", transport=" + transport + (tls == null ? "" : ", tls=" + tls) + '}';
    }

    /**
     * Builds {@link Options}. Each setter checks its argument and throws
     * {@link IllegalArgumentException} naming the option ({@link NullPointerException} for a
     * {@code null} that is not allowed); {@link #build()} checks the options against each other.
     *
     * <p>Threading: not thread-safe: use a builder from one thread at a time.
     */
    public static final class Builder {
        /** Longest keep-alive idle time or interval the kernel takes (Linux: MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL). */
        public static final int MAX_KEEPALIVE_SECONDS = 32767;
        /** Most keep-alive probes the kernel takes (Linux: MAX_TCP_KEEPCNT). */
        public static final int MAX_KEEPALIVE_COUNT = 127;

        private boolean multicore = false;
        private int numEventLoops = 0;
        private LoadBalancing loadBalancing = LoadBalancing.ROUND_ROBIN;
        private boolean reuseAddr = true;
        private boolean reusePort = false;
        private boolean halfClose = false;
        private boolean proxyProtocol = false;
        private Duration proxyProtocolTimeout = Duration.ofSeconds(5);
        private boolean pauseReadingWhenUnwritable = true;
        private int readBufferCap = 64 * 1024;
        private int writeBufferCap = 64 * 1024;
        private boolean ticker = false;
        private boolean tcpNoDelay = true;
        private Duration tcpKeepAlive = Duration.ZERO;
        private Duration tcpKeepAliveInterval = Duration.ZERO;
        private int tcpKeepAliveCount = 0;
        private int socketRecvBuffer = 0;
        private int socketSendBuffer = 0;
        private int backlog = 1024;
        private String multicastInterface = null;
        private int maxConnections = 100_000;
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration readIdleTimeout = Duration.ZERO;
        private Duration writeIdleTimeout = Duration.ZERO;
        private int maxInboundBuffered = 4 * 1024 * 1024;
        private int writeBufferHighWaterMark = 64 * 1024;
        private int writeBufferLowWaterMark = 32 * 1024;
        private boolean waterMarksSet = false;
        private int maxOutboundBuffered = 16 * 1024 * 1024;
        /** 0: derived from the JVM's direct memory limit (see {@link DefaultMemoryBudget}). */
        private long memoryBudget = 0;
        private Duration closeTimeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private BufferPool bufferPool = null;
        private TlsConfig tls = null;
        private boolean stopOnSignal = true;
        private Transport transport = Transport.fromSystemProperty();

        private Builder() {
        }

        /** See {@link Options#multicore()}. One thread at a time. */
        public Builder multicore(boolean on) { this.multicore = on; return this; }

        /** See {@link Options#numEventLoops()}; 0 to decide from multicore. One thread at a time. */
        public Builder numEventLoops(int n) {
            this.numEventLoops = atLeast("numEventLoops", n, 0);
            return this;
        }

        /** See {@link Options#loadBalancing()}. One thread at a time. */
        public Builder loadBalancing(LoadBalancing lb) {
            this.loadBalancing = Objects.requireNonNull(lb, "loadBalancing");
            return this;
        }

        /** See {@link Options#reuseAddr()}. One thread at a time. */
        public Builder reuseAddr(boolean on) { this.reuseAddr = on; return this; }

        /** See {@link Options#reusePort()}. One thread at a time. */
        public Builder reusePort(boolean on) { this.reusePort = on; return this; }

        /** See {@link Options#halfClose()}. One thread at a time. */
        public Builder halfClose(boolean on) { this.halfClose = on; return this; }

        /** See {@link Options#proxyProtocol()}. One thread at a time. */
        public Builder proxyProtocol(boolean on) { this.proxyProtocol = on; return this; }

        /** See {@link Options#proxyProtocolTimeout()}; positive. One thread at a time. */
        public Builder proxyProtocolTimeout(Duration timeout) {
            this.proxyProtocolTimeout = positive("proxyProtocolTimeout", timeout);
            return this;
        }

        /** See {@link Options#pauseReadingWhenUnwritable()}. One thread at a time. */
        public Builder pauseReadingWhenUnwritable(boolean on) { this.pauseReadingWhenUnwritable = on; return this; }

        /** See {@link Options#readBufferCap()}; at least 64 bytes. One thread at a time. */
        public Builder readBufferCap(int bytes) {
            this.readBufferCap = atLeast("readBufferCap", bytes, 64);
            return this;
        }

        /** See {@link Options#writeBufferCap()}; at least 64 bytes. One thread at a time. */
        public Builder writeBufferCap(int bytes) {
            this.writeBufferCap = atLeast("writeBufferCap", bytes, 64);
            return this;
        }

        /** See {@link Options#ticker()}. One thread at a time. */
        public Builder ticker(boolean on) { this.ticker = on; return this; }

        /** See {@link Options#tcpNoDelay()}. One thread at a time. */
        public Builder tcpNoDelay(boolean on) { this.tcpNoDelay = on; return this; }

        /**
         * See {@link Options#tcpKeepAlive()}: zero, or whole seconds from 1 to
         * {@value #MAX_KEEPALIVE_SECONDS} (the kernel's range: a value outside it would fail on
         * every connection). One thread at a time.
         */
        public Builder tcpKeepAlive(Duration idle) {
            this.tcpKeepAlive = keepAliveSeconds("tcpKeepAlive", idle);
            return this;
        }

        /**
         * See {@link Options#tcpKeepAliveInterval()}: zero, or whole seconds from 1 to
         * {@value #MAX_KEEPALIVE_SECONDS}. One thread at a time.
         */
        public Builder tcpKeepAliveInterval(Duration interval) {
            this.tcpKeepAliveInterval = keepAliveSeconds("tcpKeepAliveInterval", interval);
            return this;
        }

        /**
         * See {@link Options#tcpKeepAliveCount()}: 0, or from 1 to {@value #MAX_KEEPALIVE_COUNT}
         * (the kernel's range). One thread at a time.
         */
        public Builder tcpKeepAliveCount(int count) {
            if (count < 0 || count > MAX_KEEPALIVE_COUNT) {
                throw new IllegalArgumentException("tcpKeepAliveCount must be 0 (the system's) or 1.." + MAX_KEEPALIVE_COUNT
                        + " (the kernel's range), got " + count);
            }
            this.tcpKeepAliveCount = count;
            return this;
        }

        /** See {@link Options#socketRecvBuffer()}. One thread at a time. */
        public Builder socketRecvBuffer(int bytes) {
            this.socketRecvBuffer = atLeast("socketRecvBuffer", bytes, 0);
            return this;
        }

        /** See {@link Options#socketSendBuffer()}. One thread at a time. */
        public Builder socketSendBuffer(int bytes) {
            this.socketSendBuffer = atLeast("socketSendBuffer", bytes, 0);
            return this;
        }

        /** See {@link Options#backlog()}. One thread at a time. */
        public Builder backlog(int n) {
            this.backlog = atLeast("backlog", n, 1);
            return this;
        }

        /** See {@link Options#multicastInterface()}. One thread at a time. */
        public Builder multicastInterface(String name) { this.multicastInterface = name; return this; }

        /** See {@link Options#maxConnections()}. One thread at a time. */
        public Builder maxConnections(int n) {
            this.maxConnections = atLeast("maxConnections", n, 1);
            return this;
        }

        /** See {@link Options#idleTimeout()}. One thread at a time. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = notNegative("idleTimeout", timeout);
            return this;
        }

        /** See {@link Options#readIdleTimeout()}. One thread at a time. */
        public Builder readIdleTimeout(Duration timeout) {
            this.readIdleTimeout = notNegative("readIdleTimeout", timeout);
            return this;
        }

        /** See {@link Options#writeIdleTimeout()}. One thread at a time. */
        public Builder writeIdleTimeout(Duration timeout) {
            this.writeIdleTimeout = notNegative("writeIdleTimeout", timeout);
            return this;
        }

        /** See {@link Options#maxInboundBuffered()}. One thread at a time. */
        public Builder maxInboundBuffered(int bytes) {
            this.maxInboundBuffered = atLeast("maxInboundBuffered", bytes, 1);
            return this;
        }

        /**
         * Sets both water marks: see {@link Options#writeBufferLowWaterMark()} and
         * {@link Options#writeBufferHighWaterMark()}. {@link #build()} checks that low does not
         * exceed high, nor high {@link Options#maxOutboundBuffered()}. One thread at a time.
         */
        public Builder writeBufferWaterMarks(int low, int high) {
            this.writeBufferLowWaterMark = atLeast("writeBufferLowWaterMark", low, 0);
            this.writeBufferHighWaterMark = atLeast("writeBufferHighWaterMark", high, 1);
            this.waterMarksSet = true;
            return this;
        }

        /**
         * See {@link Options#maxOutboundBuffered()}. Water marks left at their defaults that would
         * exceed it are scaled down to it (high = the cap, low = half of it). One thread at a time.
         */
        public Builder maxOutboundBuffered(int bytes) {
            this.maxOutboundBuffered = atLeast("maxOutboundBuffered", bytes, 1);
            return this;
        }

        /** See {@link Options#memoryBudget()}; at least 1 MiB, or 0 for the default. One thread at a time. */
        public Builder memoryBudget(long bytes) {
            if (bytes != 0 && bytes < (1 << 20)) {
                throw new IllegalArgumentException("memoryBudget must be at least 1 MiB (or 0 for the default), got " + bytes);
            }
            this.memoryBudget = bytes;
            return this;
        }

        /** See {@link Options#closeTimeout()}. One thread at a time. */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = notNegative("closeTimeout", timeout);
            return this;
        }

        /** See {@link Options#connectTimeout()}; must be positive. One thread at a time. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = notNegative("connectTimeout", timeout);
            if (timeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive, got " + timeout);
            }
            return this;
        }

        /** See {@link Options#bufferPool()}. One thread at a time. */
        public Builder bufferPool(BufferPool pool) { this.bufferPool = pool; return this; }

        /** See {@link Options#tls()}; {@code null} for none. One thread at a time. */
        public Builder tls(TlsConfig config) { this.tls = config; return this; }

        /** See {@link Options#stopOnSignal()}. One thread at a time. */
        public Builder stopOnSignal(boolean on) { this.stopOnSignal = on; return this; }

        /** See {@link Options#transport()}. One thread at a time. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * The options. One thread at a time, as every builder method; the {@link Options} built may
         * then be shared with any thread.
         *
         * @throws IllegalArgumentException if the water marks set are out of order or past the outbound cap
         */
        public Options build() {
            int high = writeBufferHighWaterMark;
            int low = writeBufferLowWaterMark;
            if (!waterMarksSet && high > maxOutboundBuffered) { // scaled here, never in the builder
                high = maxOutboundBuffered;
                low = Math.min(low, maxOutboundBuffered / 2);
            }
            if (low > high) {
                throw new IllegalArgumentException("writeBufferLowWaterMark (" + low
                        + ") must not exceed writeBufferHighWaterMark (" + high + ")");
            }
            if (high > maxOutboundBuffered) {
                throw new IllegalArgumentException("writeBufferHighWaterMark (" + high
                        + ") must not exceed maxOutboundBuffered (" + maxOutboundBuffered + ")");
            }
            return new Options(this, low, high);
        }

        private static int atLeast(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
            }
            return value;
        }

        private static Duration keepAliveSeconds(String name, Duration d) {
            notNegative(name, d);
            if (d.isZero()) {
                return d;
            }
            if (d.getNano() != 0 || d.getSeconds() < 1 || d.getSeconds() > MAX_KEEPALIVE_SECONDS) {
                throw new IllegalArgumentException(name + " must be zero or whole seconds from 1 to " + MAX_KEEPALIVE_SECONDS
                        + " (the kernel's range), got " + d);
            }
            return d;
        }

        private static Duration positive(String name, Duration d) {
            if (notNegative(name, d).isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }

        private static Duration notNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, got " + d);
            }
            return d;
        }
    }

    /**
     * The default {@link #memoryBudget()}: half the JVM's direct memory limit, read once.
     * {@code MaxDirectMemorySize} of 0 (unset) means the heap limit, as the JDK itself does.
     */
    private static final class DefaultMemoryBudget {
        static final long BYTES = Math.max(1L << 20, maxDirectMemory() / 2);

        private static long maxDirectMemory() {
            try {
                com.sun.management.HotSpotDiagnosticMXBean vm = java.lang.management.ManagementFactory
                        .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
                long set = Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
                if (set > 0) {
                    return set;
                }
            } catch (RuntimeException | LinkageError e) {
                // not HotSpot, or no management: the heap limit, the JDK's own default
            }
            return Runtime.getRuntime().maxMemory();
        }
    }
}
