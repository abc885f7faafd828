package io.gnetj.testing;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.ConnectionClosedException;
import io.gnetj.EventHandler;
import io.gnetj.OutboundLimitException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Conn} without a socket, for tests: bytes "arrive" with {@link #receive}, bytes written
 * are captured and read back with {@link #written()} / {@link #takeWritten()}. Optionally it
 * drives an {@link EventHandler} the way an event loop would, so a handler can be tested without
 * an engine.
 *
 * <h2>Faithful where it matters</h2>
 * <ul>
 *   <li><b>Views.</b> {@link #next}, {@link #peek} return read-only views of
 *       {@code min(n, inboundBuffered())} contiguous bytes ({@code n < 0}: all), position..limit
 *       spanning them. As the engine's often do, a view's position is past index 0 (the bytes
 *       before it are {@code 0xEE}), so code that reads a view from index 0 instead of from its
 *       position fails. Each view is backed by its own copy, and that copy is overwritten with
 *       {@code 0xEE} as soon as the view stops being valid under {@link Conn}'s rules (the next
 *       {@code next}/{@code peek}/{@code read}/{@code discard}, or {@link #endCallback()}), so code
 *       that keeps a view too long reads garbage and fails its test instead of passing by luck.
 *   <li><b>The loop thread.</b> The thread that created the connection plays its event loop: the
 *       loop-only methods throw {@link IllegalStateException} on any other thread, as the engine's
 *       do. {@link #asyncWrite}, {@link #asyncWritev} and {@link #wake} (from any thread, as in the
 *       engine) only queue a task; the loop thread runs queued tasks with
 *       {@link #runPendingTasks()} or {@link #awaitPendingTasks(Duration)}, and at the start of
 *       every {@link #receive}. Callbacks therefore run on the loop thread.
 *   <li><b>Handler errors.</b> When driving a handler, an exception from {@code onTraffic} closes
 *       the connection with it as the cause ({@link #closeCause()}), as the engine does;
 *       {@link Action#CLOSE} closes it without one. {@code onClose} runs exactly once.
 * </ul>
 * By default every write is "sent" at once: {@link #outboundBuffered()} is 0 and no write is
 * refused. {@link #queueOutboundUntilTaken(int)} models a peer that reads only when the test takes
 * the bytes, with the engine's outbound cap. Not modelled: the engine's pause of reading past the
 * high-water mark (a test calls {@link #wake} where the engine would resume), and socket options
 * (recorded nowhere).
 *
 * <p>Threading: as {@link Conn}; the creating thread is the loop thread. {@link #written()},
 * {@link #takeWritten()}, {@link #closeCause()} and {@link #pendingTasks()} may be read from any
 * thread.
 */
public final class MemoryConn implements Conn {

    private static final byte POISON = (byte) 0xEE;
    /** Index of a view's first byte in its backing copy: not 0, so code assuming 0 fails. */
    private static final int VIEW_OFFSET = 7;
    /** {@link #outboundLimit} while writes are "sent" at once. */
    private static final int SENT_AT_ONCE = -1;

    private final EventHandler handler;
    private final Thread loop;
    private final SocketAddress local;
    private final SocketAddress remote;

    /** Inbound bytes live in {@code in[head..tail)}. */
    private byte[] in = new byte[256];
    private int head;
    private int tail;
    /** Backing arrays of views still valid; poisoned when they stop being. */
    private final List<byte[]> liveViews = new ArrayList<>();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private volatile boolean open = true;
    private volatile Throwable closeCause;
    private volatile Object context;
    private boolean shutdownRequested;
    private boolean readingPaused;
    private final io.gnetj.EventLoop memoryLoop = new MemoryLoop();
    private boolean outputShutdown;
    private Action lastAction;
    /** Inside a handler callback (loop thread). */
    private boolean inCallback;
    /** A close asked for inside a handler callback: done when it returns. */
    private Throwable deferredClose;
    /** Most bytes queued at once, or {@link #SENT_AT_ONCE}; guarded by {@link #out}. */
    private int outboundLimit = SENT_AT_ONCE;

    /** A connection with no handler: the test calls {@link #receive} and decodes itself. */
    public MemoryConn() {
        this(null);
    }

    /**
     * A connection that drives {@code handler}: {@link #receive} and {@link #wake} call its
     * {@code onTraffic}, closing calls its {@code onClose}. {@code onOpen} is not called; call
     * {@link #open()} for that.
     */
    public MemoryConn(EventHandler handler) {
        this(handler, new InetSocketAddress("127.0.0.1", 9000), new InetSocketAddress("127.0.0.1", 50000));
    }

    /** As {@link #MemoryConn(EventHandler)}, with the addresses to report. */
    public MemoryConn(EventHandler handler, SocketAddress local, SocketAddress remote) {
        this.handler = handler;
        this.loop = Thread.currentThread();
        this.local = Objects.requireNonNull(local, "local");
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    // ---- driving the connection (loop thread) ----

    /** Runs the handler's {@code onOpen}, acting on its {@link Action} as the engine would. */
    public MemoryConn open() {
        checkLoop();
        if (handler != null) {
            lastAction = null;
            try {
                Action action = handler.onOpen(this);
                lastAction = action;
                act(action);
            } catch (RuntimeException | Error e) {
                closeNow(e);
            }
            endCallback();
        }
        return this;
    }

    /** As {@link #receive(byte[], int, int)} for all of {@code bytes}. */
    public MemoryConn receive(byte[] bytes) {
        return receive(bytes, 0, bytes.length);
    }

    /**
     * Bytes arrive from the peer: runs queued tasks, appends the bytes to the inbound buffer and,
     * when driving a handler, calls its {@code onTraffic} (then {@link #endCallback()}). Ignored
     * once closed, as a closed socket reads nothing.
     */
    public MemoryConn receive(byte[] bytes, int off, int len) {
        checkLoop();
        Objects.checkFromIndexSize(off, len, bytes.length);
        runPendingTasks();
        if (!open) {
            return this;
        }
        ensureRoom(len);
        System.arraycopy(bytes, off, in, tail, len);
        tail += len;
        if (handler != null && !readingPaused) {
            traffic();
        }
        return this;
    }

    /**
     * Marks the end of a handler callback: every view handed out so far stops being valid (and is
     * poisoned). A test that decodes by hand calls this where a handler would return.
     */
    public void endCallback() {
        checkLoop();
        invalidateViews();
    }

    /**
     * Runs the tasks queued by {@link #asyncWrite}, {@link #asyncWritev}, {@link #wake} and
     * {@link #close()} from other threads, in order, on this (the loop) thread.
     *
     * @return how many ran
     */
    public int runPendingTasks() {
        checkLoop();
        int ran = 0;
        for (Runnable task; (task = tasks.poll()) != null; ran++) {
            task.run();
        }
        return ran;
    }

    /**
     * Waits up to {@code timeout} for at least one queued task, then runs every queued task.
     *
     * @return how many ran (0 if the timeout passed)
     * @throws InterruptedException if interrupted while waiting
     */
    public int awaitPendingTasks(Duration timeout) throws InterruptedException {
        checkLoop();
        Runnable first = tasks.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (first == null) {
            return 0;
        }
        first.run();
        return 1 + runPendingTasks();
    }

    /**
     * Models a peer that reads only when the test takes: from now on bytes written stay queued,
     * counted by {@link #outboundBuffered()}, until {@link #takeWritten()} takes them (as if the
     * peer had read them then), and a write that would queue more than
     * {@code maxOutboundBuffered} bytes is refused with {@link OutboundLimitException}, as the
     * engine refuses one past {@link io.gnetj.Options#maxOutboundBuffered()}: {@code write} and
     * {@code writev} throw it (a {@code writev} queues all of its buffers or none), and
     * {@code asyncWrite}/{@code asyncWritev} fail their callback with it, the connection staying
     * open. Bytes already written and not taken count as queued.
     *
     * @param maxOutboundBuffered most bytes queued at once; {@link Integer#MAX_VALUE} for no cap
     * @return this
     */
    public MemoryConn queueOutboundUntilTaken(int maxOutboundBuffered) {
        checkLoop();
        if (maxOutboundBuffered < 0) {
            throw new IllegalArgumentException("maxOutboundBuffered " + maxOutboundBuffered + " < 0");
        }
        synchronized (out) {
            outboundLimit = maxOutboundBuffered;
        }
        return this;
    }

    // ---- what the test reads (any thread) ----

    /** Every byte written so far (and not taken). */
    public byte[] written() {
        synchronized (out) {
            return out.toByteArray();
        }
    }

    /**
     * Every byte written so far, then forgets them; after {@link #queueOutboundUntilTaken(int)}
     * this is the peer reading them, and they leave the outbound queue.
     */
    public byte[] takeWritten() {
        synchronized (out) {
            byte[] bytes = out.toByteArray();
            out.reset();
            return bytes;
        }
    }

    /** Why the connection closed: {@code null} while open or after an orderly close. */
    public Throwable closeCause() {
        return closeCause;
    }

    /** Tasks queued from other threads and not yet run. */
    public int pendingTasks() {
        return tasks.size();
    }

    /** {@code true} once the handler returned {@link Action#SHUTDOWN} from any callback. */
    public boolean shutdownRequested() {
        checkLoop();
        return shutdownRequested;
    }

    /**
     * The {@link Action} the driven handler returned from its latest {@code onOpen} or
     * {@code onTraffic} (run by {@link #open()}, {@link #receive} or {@link #wake}), or
     * {@code null} if none has run or the latest threw (see {@link #closeCause()}). Tells a handler
     * that returned {@link Action#CLOSE} from one that closed the connection itself.
     */
    public Action lastAction() {
        checkLoop();
        return lastAction;
    }

    // ---- Conn: inbound ----

    @Override
    public ByteBuffer next(int n) {
        ByteBuffer view = peek(n);
        head += view.remaining();
        return view;
    }

    @Override
    public ByteBuffer peek(int n) {
        checkLoop();
        invalidateViews();
        int len = n < 0 ? buffered() : Math.min(n, buffered());
        byte[] copy = new byte[VIEW_OFFSET + len];
        Arrays.fill(copy, 0, VIEW_OFFSET, POISON);
        System.arraycopy(in, head, copy, VIEW_OFFSET, len);
        liveViews.add(copy);
        return ByteBuffer.wrap(copy, VIEW_OFFSET, len).asReadOnlyBuffer();
    }

    @Override
    public int discard(int n) {
        checkLoop();
        invalidateViews();
        int len = n < 0 ? buffered() : Math.min(n, buffered());
        head += len;
        return len;
    }

    @Override
    public int read(ByteBuffer dst) {
        checkLoop();
        invalidateViews();
        int len = Math.min(dst.remaining(), buffered());
        dst.put(in, head, len);
        head += len;
        return len;
    }

    @Override
    public int inboundBuffered() {
        checkLoop();
        return buffered();
    }

    // ---- Conn: outbound ----

    @Override
    public int write(ByteBuffer src) {
        return (int) writev(src);
    }

    @Override
    public int write(byte[] src, int off, int len) {
        checkLoop();
        checkOpen();
        Objects.checkFromIndexSize(off, len, src.length);
        synchronized (out) {
            checkRoom(len);
            out.write(src, off, len);
        }
        return len;
    }

    @Override
    public long writev(ByteBuffer... srcs) {
        checkLoop();
        checkOpen();
        synchronized (out) {
            checkRoom(remaining(srcs));
            long total = 0;
            for (ByteBuffer src : srcs) {
                int len = src.remaining();
                byte[] bytes = new byte[len];
                src.get(bytes);
                out.write(bytes, 0, len);
                total += len;
            }
            return total;
        }
    }

    /**
     * As the engine, with the file's bytes read at the call into what {@link #takeWritten()}
     * returns (a test sees them in order with the writes around them); the callback runs as a
     * queued task. The file's position does not move and it is not closed.
     */
    @Override
    public void sendFile(FileChannel file, long position, long count, Callback callback) {
        checkLoop();
        checkOpen();
        Objects.requireNonNull(file, "file");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("sendFile: position " + position + " and count " + count
                    + " must not be negative");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("MemoryConn.sendFile holds the bytes in memory: " + count
                    + " is too many");
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) count);
        try {
            if (count > file.size() - position) {
                throw new IllegalArgumentException("sendFile: the range [" + position + ", " + position + " + "
                        + count + ") ends beyond the file's size of " + file.size() + " bytes");
            }
            while (bytes.hasRemaining()) {
                if (file.read(bytes, position + bytes.position()) < 0) {
                    throw new EOFException("the file ended before the range did");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (out) {
            out.write(bytes.array(), 0, bytes.capacity());
        }
        tasks.add(() -> complete(callback, null));
    }

    @Override
    public void flush() {
        checkLoop();
    }

    /**
     * As the engine: writes fail from now on ({@link #outputShutdown()} tells a test it was
     * called); the connection stays open for reading. Closing once the peer's side ends too is
     * not modelled: the test calls {@link #close()}.
     */
    @Override
    public void shutdownOutput() {
        checkLoop();
        if (open) {
            outputShutdown = true;
        }
    }

    /** Whether {@link #shutdownOutput()} was called (loop thread). */
    public boolean outputShutdown() {
        checkLoop();
        return outputShutdown;
    }

    @Override
    public int outboundBuffered() {
        synchronized (out) {
            return outboundLimit == SENT_AT_ONCE ? 0 : out.size();
        }
    }

    // ---- Conn: any thread ----

    @Override
    public void asyncWrite(ByteBuffer src, Callback callback) {
        asyncWritev(new ByteBuffer[] {src}, callback);
    }

    @Override
    public void asyncWritev(ByteBuffer[] srcs, Callback callback) {
        // As the engine: the caller's buffers are never moved; read-only ones (views) are copied now.
        ByteBuffer[] bytes = new ByteBuffer[srcs.length];
        for (int i = 0; i < srcs.length; i++) {
            ByteBuffer src = Objects.requireNonNull(srcs[i], "srcs[" + i + "]");
            if (src.isReadOnly()) {
                byte[] copy = new byte[src.remaining()];
                src.duplicate().get(copy);
                bytes[i] = ByteBuffer.wrap(copy);
            } else {
                bytes[i] = src.duplicate();
            }
        }
        tasks.add(() -> {
            Throwable error = null;
            if (!open) {
                error = new ConnectionClosedException("connection closed before the asynchronous write ran");
            } else {
                try {
                    writev(bytes);
                } catch (OutboundLimitException | ConnectionClosedException e) {
                    error = e;
                }
            }
            complete(callback, error);
        });
    }

    @Override
    public void wake(Callback callback) {
        tasks.add(() -> {
            if (!open) {
                complete(callback, new ConnectionClosedException("connection closed before wake ran"));
                return;
            }
            if (handler != null) {
                traffic();
            }
            complete(callback, null);
        });
    }

    @Override
    public void close() {
        close(null);
    }

    @Override
    public void close(Callback callback) {
        if (Thread.currentThread() == loop) {
            closeNow(null);
            complete(callback, null);
        } else {
            tasks.add(() -> {
                closeNow(null);
                complete(callback, null);
            });
        }
    }

    @Override
    public void abort(Throwable cause) {
        if (Thread.currentThread() == loop) {
            closeOrDefer(cause);
        } else {
            tasks.add(() -> closeOrDefer(cause));
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Always {@code true}: the water marks are not modelled. */
    @Override
    public boolean isWritable() {
        return true;
    }

    /**
     * As the engine: until {@link #resumeReading()}, {@link #receive} buffers the bytes without
     * calling {@code onTraffic}. From another thread it takes effect when the loop thread runs
     * pending tasks.
     */
    @Override
    public void pauseReading() {
        onLoop(() -> readingPaused = true);
    }

    /** As the engine: reading resumes, and bytes buffered meanwhile get their {@code onTraffic}. */
    @Override
    public void resumeReading() {
        onLoop(() -> {
            boolean was = readingPaused;
            readingPaused = false;
            if (was && open && handler != null && buffered() > 0) {
                traffic();
            }
        });
    }

    /** Whether reading is paused by {@link #pauseReading()} (loop thread). */
    public boolean readingPaused() {
        checkLoop();
        return readingPaused;
    }

    @Override
    public boolean inEventLoop() {
        return Thread.currentThread() == loop;
    }

    /**
     * A loop made of this connection's task queue: {@link io.gnetj.EventLoop#execute} queues the
     * task like {@link #wake} (run by {@link #runPendingTasks()}); timers, dials and enrolls are
     * not modelled and throw {@link UnsupportedOperationException}.
     */
    @Override
    public io.gnetj.EventLoop eventLoop() {
        return memoryLoop;
    }

    // ---- Conn: context, addresses, options ----

    @SuppressWarnings("unchecked")
    @Override
    public <T> T context() {
        return (T) context;
    }

    @Override
    public void context(Object context) {
        this.context = context;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // any thread, as the engine's; recorded nowhere
    }

    @Override
    public void setKeepAlive(boolean on, int idleSeconds, int intervalSeconds, int count) {
        // any thread, as the engine's; recorded nowhere
    }

    @Override
    public void setLinger(int seconds) {
        // any thread, as the engine's; recorded nowhere
    }

    @Override
    public void setReceiveBufferSize(int bytes) {
        // any thread, as the engine's; recorded nowhere
    }

    @Override
    public void setSendBufferSize(int bytes) {
        // any thread, as the engine's; recorded nowhere
    }

    /** Open/closed, bytes buffered each way. */
    @Override
    public String toString() {
        return "MemoryConn[" + (open ? "open" : "closed") + ", inbound=" + (tail - head)
                + ", written=" + written().length + "]";
    }

    // ---- internals ----

    private void traffic() {
        lastAction = null;
        inCallback = true;
        Action action = null;
        Throwable threw = null;
        try {
            action = handler.onTraffic(this);
            lastAction = action;
        } catch (RuntimeException | Error e) {
            threw = e;
        } finally {
            inCallback = false;
        }
        Throwable deferred = deferredClose;
        deferredClose = null;
        if (deferred != null) {
            closeNow(deferred);
        } else if (threw != null) {
            closeNow(threw);
        } else {
            act(action);
        }
        endCallback();
    }

    private void act(Action action) {
        if (action == Action.CLOSE) {
            closeNow(null);
        } else if (action == Action.SHUTDOWN) {
            shutdownRequested = true;
        }
    }

    private void closeNow(Throwable cause) {
        if (!open) {
            return;
        }
        open = false;
        closeCause = cause;
        invalidateViews();
        head = tail = 0; // a closed connection reads nothing
        if (handler != null && handler.onClose(this, cause) == Action.SHUTDOWN) {
            shutdownRequested = true;
        }
    }

    private void complete(Callback callback, Throwable error) {
        if (callback != null) {
            callback.onComplete(this, error);
        }
    }

    private int buffered() {
        return tail - head;
    }

    private void ensureRoom(int len) {
        if (in.length - tail >= len) {
            return;
        }
        int size = buffered();
        byte[] target = size + len <= in.length / 2 ? in : new byte[Math.max(in.length * 2, size + len)];
        System.arraycopy(in, head, target, 0, size);
        in = target;
        head = 0;
        tail = size;
    }

    private void invalidateViews() {
        for (byte[] view : liveViews) {
            Arrays.fill(view, POISON);
        }
        liveViews.clear();
    }

    /** See {@link #eventLoop()}. */
    private final class MemoryLoop implements io.gnetj.EventLoop {
        @Override
        public int index() {
            return 0;
        }

        @Override
        public boolean inEventLoop() {
            return Thread.currentThread() == loop;
        }

        @Override
        public int countConnections() {
            return open ? 1 : 0;
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(Objects.requireNonNull(task, "task"));
        }

        @Override
        public Scheduled schedule(Runnable task, Duration delay) {
            throw new UnsupportedOperationException("MemoryConn does not model timers");
        }

        @Override
        public java.util.concurrent.CompletableFuture<Conn> dial(String address, Object context) {
            throw new UnsupportedOperationException("MemoryConn does not model dials");
        }

        @Override
        public java.util.concurrent.CompletableFuture<Conn> enroll(java.nio.channels.SocketChannel channel, Object context) {
            throw new UnsupportedOperationException("MemoryConn does not model enrolls");
        }
    }

    private void onLoop(Runnable action) {
        if (Thread.currentThread() == loop) {
            action.run();
        } else {
            tasks.add(action);
        }
    }

    private void checkLoop() {
        if (Thread.currentThread() != loop) {
            throw new IllegalStateException("called off the loop thread (" + Thread.currentThread().getName()
                    + "); this MemoryConn's loop thread is " + loop.getName());
        }
    }

    private void checkOpen() {
        if (!open) {
            throw new ConnectionClosedException("connection closed");
        }
        if (outputShutdown) {
            throw new ConnectionClosedException("output shut down (shutdownOutput)");
        }
    }

    /**
     * Refuses {@code len} more bytes past the outbound cap, and closes the connection as the engine
     * does (a stream never goes on after a hole); the caller holds {@link #out}.
     */
    private void checkRoom(long len) {
        if (outboundLimit != SENT_AT_ONCE && out.size() + len > outboundLimit) {
            OutboundLimitException refused = new OutboundLimitException("writing " + len + " bytes would queue "
                    + (out.size() + len) + " bytes, over maxOutboundBuffered " + outboundLimit + ": the peer is not reading");
            closeOrDefer(refused);
            throw refused;
        }
    }

    /** Closes now, or, inside a handler callback, once it returns (onClose never runs nested). */
    private void closeOrDefer(Throwable cause) {
        if (inCallback) {
            if (deferredClose == null) {
                deferredClose = cause == null ? new ConnectionClosedException("aborted") : cause;
            }
        } else {
            closeNow(cause);
        }
    }

    private static long remaining(ByteBuffer[] srcs) {
        long total = 0;
        for (ByteBuffer src : srcs) {
            total += src.remaining();
        }
        return total;
    }
}
