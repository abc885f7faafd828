package io.gnetj.bench.loop;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import io.gnetj.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Handing a task from another thread to an event loop, and waking the loop for it: what a worker
 * pool pays to get a result back onto a connection's loop (gnetj's {@link Conn#wake}, Netty's
 * {@code channel.eventLoop().execute}).
 *
 * <p>gnetj: a real engine with one event loop on {@code tcp://127.0.0.1:0} and one idle loopback
 * client connection. The JMH thread calls {@code conn.wake(callback)} on the server side of that
 * connection; the loop runs the handler's {@code onTraffic} (which does nothing here: no bytes
 * arrived) and then the callback, which advances a sequence number. Netty: a server on loopback as
 * the end-to-end peer builds it in Netty 4.2 ({@link MultiThreadIoEventLoopGroup}, one acceptor
 * loop and one child loop, NIO through {@link NioIoHandler}, or native epoll through
 * {@link EpollIoHandler}), with one idle loopback client connection; the JMH thread calls
 * {@code execute(task)} on the accepted channel's event loop, and the task advances the sequence
 * number. This is the fair peer: it is the call a Netty handler makes to get back onto a channel's
 * loop from a worker, and both loops hold one registered connection and wait in their selector
 * (gnetj also wakes once a second for its idle sweep; Netty has no scheduled task here). The clients
 * are plain JDK sockets that never send a byte, so only the server loops run.
 *
 * <p>Three modes for each:
 * <ul>
 *   <li>round trip ({@code *RoundTrip}): post one task, spin until it has run, post the next at
 *       once. Each post finds the loop either already back asleep in {@code select}/{@code epoll_wait}
 *       (then it pays the full wake-up: queue offer, {@code Selector.wakeup()} or, on Netty epoll, a
 *       write to its eventfd, the kernel scheduling the loop thread, the loop draining its queue, the store the spinning
 *       thread sees) or still on its way there (then no wake-up is needed). Which one depends on how
 *       long each loop takes to go back to sleep after a task, so this mode measures that race as
 *       much as the wake-up; the next mode takes the race out.
 *   <li>round trip from sleep ({@code *RoundTripFromSleep}): the same post-and-spin, but before each
 *       one the JMH thread parks {@value #SLEEP_MICROS} µs outside the timed region
 *       ({@code @Setup(Level.Invocation)}), so the loop is always asleep when the task arrives: the
 *       wake-up of a loop blocked in its selector, as a worker handing back a result to a quiet
 *       server pays it. With operations of tens of µs, the per-invocation time stamps JMH takes
 *       (tens of ns) do not matter.
 *   <li>burst ({@code *Burst}, {@value #BURST} tasks per invocation, reported per task): post
 *       {@value #BURST} tasks, then spin until the last has run. A loop needs waking only when it is
 *       asleep, so the wake-ups are shared by many tasks and this is mostly the queue's cost per task,
 *       on both sides; how many wake-ups a burst still costs depends on whether the loop drains the
 *       queue faster than the poster fills it and goes back to sleep in between.
 * </ul>
 *
 * <p>A control for the mode from sleep, {@code jdkSelectorRoundTripFromSleep}: no event loop at all,
 * one thread blocked in a bare {@link Selector#select()} with nothing registered, woken by
 * {@link Selector#wakeup()}, which then publishes the sequence number. It is the floor for any loop
 * built on the JDK's selector, as gnetj's and Netty's NIO loops are; Netty's epoll transport wakes
 * its loop through its own JNI code and is not bound by it.
 *
 * <p>No allocation per operation on the benchmark's side: one callback (gnetj) and one task (Netty)
 * are made at setup and posted again and again, and completion is one {@link AtomicLong} written by
 * the loop thread only. What the libraries allocate inside {@code wake} or {@code execute} is their
 * own cost and shows in {@code -prof gc}'s B/op. Every wait is bounded ({@value #TIMEOUT_SECONDS} s),
 * so a lost task fails the run instead of hanging it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms1g", "-Xmx1g",
    "-Dio.netty.leakDetection.level=disabled", "-Dio.gnetj.leakDetection=disabled",
    "--enable-native-access=ALL-UNNAMED"}) // gnetj's epoll transport (FFM) and Netty's JNI epoll
public class HandoffBenchmark {

    /** Tasks posted per invocation in the burst mode. */
    static final int BURST = 64;

    /** Longest any wait may take before the benchmark gives up. */
    static final long TIMEOUT_SECONDS = 10;

    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);

    /** How long the loop is left alone before each {@code *RoundTripFromSleep} post. */
    static final long SLEEP_MICROS = 200;

    /** Parks the JMH thread before each invocation, untimed, so the loop goes to sleep in its selector. */
    @State(Scope.Thread)
    public static class LetTheLoopSleep {
        @Setup(Level.Invocation)
        public void pause() {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(SLEEP_MICROS));
        }
    }

    /** Spins until {@code done} reaches {@code target}; throws after {@link #TIMEOUT_SECONDS}. */
    static void await(AtomicLong done, long target, Loop loop) {
        if (done.get() >= target) {
            return;
        }
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        int spins = 0;
        while (done.get() < target) {
            Thread.onSpinWait();
            if ((++spins & 0x3FF) == 0) {
                loop.check();
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("task " + target + " did not run within " + TIMEOUT_SECONDS
                            + " s (" + done.get() + " ran): " + loop);
                }
            }
        }
    }

    /** One loop to post to; {@link #post()} does it once. */
    public abstract static class Loop {

        /** Tasks that have run, advanced by the loop thread only. */
        final AtomicLong done = new AtomicLong();
        /** Tasks posted, by the JMH thread only. */
        long posted;

        abstract void post();

        /** Throws if the loop reported an error. */
        void check() {
        }

        final void roundTrip() {
            post();
            await(done, ++posted, this);
        }

        final void burst() {
            for (int i = 0; i < BURST; i++) {
                post();
            }
            posted += BURST;
            await(done, posted, this);
        }
    }

    /** A gnetj engine with one loop and one accepted connection. */
    @State(Scope.Thread)
    public static class GnetjLoop extends Loop implements Callback {

        private Engine engine;
        private java.nio.channels.SocketChannel client;
        private Conn conn;
        private volatile Throwable error;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            CompletableFuture<Conn> opened = new CompletableFuture<>();
            EventHandler handler = new EventHandler() {
                @Override
                public Action onOpen(Conn c) {
                    opened.complete(c);
                    return Action.NONE;
                }

                @Override
                public Action onTraffic(Conn c) {
                    return Action.NONE; // woken, no bytes: nothing to do
                }
            };
            Options options = Options.builder()
                    .transport(transport())
                    .numEventLoops(1)
                    .idleTimeout(Duration.ZERO) // the client never sends; keep the connection however long the run
                    .build();
            engine = Gnet.start(handler, "tcp://127.0.0.1:0", options);
            InetSocketAddress bound = (InetSocketAddress) engine.addresses().get(0);
            client = java.nio.channels.SocketChannel.open(new InetSocketAddress("127.0.0.1", bound.getPort()));
            conn = opened.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            roundTrip(); // the loop is up and the callback runs
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                client.close();
            } finally {
                engine.stop();
            }
        }

        /** The transport under the loop: NIO here. */
        Transport transport() {
            return Transport.NIO;
        }

        @Override
        void post() {
            conn.wake(this);
        }

        /** Runs on the loop, after {@code onTraffic}. */
        @Override
        public void onComplete(Conn c, Throwable failure) {
            if (failure != null) {
                error = failure;
            }
            done.set(done.get() + 1);
        }

        @Override
        void check() {
            if (error != null) {
                throw new IllegalStateException("wake failed", error);
            }
        }

        @Override
        public String toString() {
            return "gnetj " + transport() + " " + conn;
        }
    }

    /** The same gnetj loop on its epoll transport (JDK 22+: its setup fails on older JDKs). */
    @State(Scope.Thread)
    public static class GnetjEpollLoop extends GnetjLoop {
        @Override
        Transport transport() {
            return Transport.EPOLL;
        }
    }

    /** A Netty server (one acceptor loop, one child loop) and one accepted channel. */
    public abstract static class NettyLoop extends Loop implements Runnable {

        private EventLoopGroup acceptor;
        private EventLoopGroup workers;
        private Channel server;
        private java.nio.channels.SocketChannel client;
        private EventLoop loop;
        private String transport;

        void start(boolean epoll) throws Exception {
            transport = epoll ? "epoll" : "nio";
            if (epoll && !Epoll.isAvailable()) {
                throw new IllegalStateException("Netty native epoll is not available here", Epoll.unavailabilityCause());
            }
            IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netty-accept"), io);
            workers = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netty-loop"), io);
            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            server = new ServerBootstrap()
                    .group(acceptor, workers)
                    .channel(channel)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accepted.complete(ch);
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            client = java.nio.channels.SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            loop = accepted.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).eventLoop();
            roundTrip(); // the loop is up and the task runs
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                client.close();
                server.close().syncUninterruptibly();
            } finally {
                acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }

        @Override
        void post() {
            loop.execute(this);
        }

        /** Runs on the loop. */
        @Override
        public void run() {
            done.set(done.get() + 1);
        }

        @Override
        public String toString() {
            return "netty " + transport + " " + loop;
        }
    }

    /** Netty's NIO transport. */
    @State(Scope.Thread)
    public static class NettyNioLoop extends NettyLoop {
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            start(false);
        }
    }

    /** Netty's native epoll transport; fails its setup where epoll is not available. */
    @State(Scope.Thread)
    public static class NettyEpollLoop extends NettyLoop {
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            start(true);
        }
    }

    /** A bare JDK selector and its thread: the control for the {@code *RoundTripFromSleep} rows. */
    @State(Scope.Thread)
    public static class JdkSelectorLoop extends Loop {

        private Selector selector;
        private Thread thread;
        private volatile boolean stop;
        private volatile long request;
        private volatile Throwable error;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            selector = Selector.open();
            thread = new Thread(this::selectLoop, "jdk-selector");
            thread.setDaemon(true);
            thread.start();
            roundTrip(); // the thread is up and answers
        }

        private void selectLoop() {
            try {
                while (!stop) {
                    selector.select();
                    done.set(request);
                }
            } catch (Throwable t) {
                error = t;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            stop = true;
            selector.wakeup();
            thread.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            selector.close();
        }

        @Override
        void post() {
            request = posted + 1;
            selector.wakeup();
        }

        @Override
        void check() {
            if (error != null) {
                throw new IllegalStateException("the selector thread failed", error);
            }
        }

        @Override
        public String toString() {
            return "bare JDK selector " + thread;
        }
    }

    @Benchmark
    public void jdkSelectorRoundTripFromSleep(JdkSelectorLoop loop, LetTheLoopSleep pause) {
        loop.roundTrip();
    }

    @Benchmark
    public void gnetjRoundTrip(GnetjLoop loop) {
        loop.roundTrip();
    }

    @Benchmark
    public void gnetjRoundTripFromSleep(GnetjLoop loop, LetTheLoopSleep pause) {
        loop.roundTrip();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void gnetjBurst(GnetjLoop loop) {
        loop.burst();
    }

    @Benchmark
    public void gnetjEpollRoundTrip(GnetjEpollLoop loop) {
        loop.roundTrip();
    }

    @Benchmark
    public void gnetjEpollRoundTripFromSleep(GnetjEpollLoop loop, LetTheLoopSleep pause) {
        loop.roundTrip();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void gnetjEpollBurst(GnetjEpollLoop loop) {
        loop.burst();
    }

    @Benchmark
    public void nettyNioRoundTrip(NettyNioLoop loop) {
        loop.roundTrip();
    }

    @Benchmark
    public void nettyNioRoundTripFromSleep(NettyNioLoop loop, LetTheLoopSleep pause) {
        loop.roundTrip();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void nettyNioBurst(NettyNioLoop loop) {
        loop.burst();
    }

    @Benchmark
    public void nettyEpollRoundTrip(NettyEpollLoop loop) {
        loop.roundTrip();
    }

    @Benchmark
    public void nettyEpollRoundTripFromSleep(NettyEpollLoop loop, LetTheLoopSleep pause) {
        loop.roundTrip();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void nettyEpollBurst(NettyEpollLoop loop) {
        loop.burst();
    }
}
