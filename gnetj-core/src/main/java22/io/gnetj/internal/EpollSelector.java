package io.gnetj.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link java.nio.channels.Selector} over one Linux epoll set, level-triggered for sockets, woken
 * through an edge-triggered {@code eventfd}. Keys live in an array indexed by descriptor: no map, no boxing, no lock around
 * a select or a registration (the JDK's selector takes one around each, and keeps an fd-to-key
 * {@code HashMap} of boxed descriptors).
 *
 * <p>{@link #select(Consumer, long)} hands each ready key to the action as it reads the events,
 * allocating nothing; the selected-key-set forms of select work too, for completeness.
 *
 * <h2>Closing</h2>
 * A channel closing takes its key out first ({@code EPOLL_CTL_DEL}, then its array slot), then
 * closes the descriptor: the number may be reused at once by the next accept, and an event
 * already read for the old socket carries the old key's tag, which no longer matches.
 *
 * <p>Threading: one thread selects at a time (an event loop); {@link #wakeup()} from any thread;
 * registration, interest changes and {@link #close()} from any thread, but not registration or
 * interest changes racing a close (gnetj makes all three on the selecting thread, and closes a
 * loop's selector on the loop itself): {@link #close()} waits for a select in progress, not for
 * an {@code epoll_ctl} in progress.
 */
final class EpollSelector extends AbstractSelector {

    /** Events read per {@code epoll_wait}: more ready wait for the next (level-triggered, none lost). */
    private static final int MAX_EVENTS = 1024;
    private static final VarHandle SELECTING;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(EpollKey[].class);

    static {
        try {
            SELECTING = MethodHandles.lookup().findVarHandle(EpollSelector.class, "selecting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int epfd;
    private final int eventFd;
    private final MemorySegment events;
    private final Object wakeLock = new Object();
    private final Set<SelectionKey> selectedKeys = new HashSet<>();
    private final Set<SelectionKey> publicSelectedKeys = new UngrowableSet(selectedKeys);
    /** Keys by descriptor; replaced (copied) when a descriptor does not fit. */
    private volatile EpollKey[] byFd = new EpollKey[256];
    /** Generations for tags: bumped per registration. */
    private int generation;
    /** A wake-up was written since the selecting thread last saw one (set under {@link #wakeLock}). */
    private volatile boolean woken;
    /** 1 while a thread is in {@code epoll_wait} (close waits for it to leave). */
    @SuppressWarnings("unused") // through SELECTING
    private volatile int selecting;
    private volatile boolean closed;

    EpollSelector(SelectorProvider provider) throws IOException {
        super(provider);
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        int ep;
        int ev;
        try {
            ep = (int) LinuxNative.EPOLL_CREATE1.invokeExact(s.errno, LinuxNative.EPOLL_CLOEXEC);
            if (ep < 0) {
                throw LinuxNative.error("epoll_create1", s.errno());
            }
            ev = (int) LinuxNative.EVENTFD.invokeExact(s.errno, 0, LinuxNative.EFD_NONBLOCK | LinuxNative.EFD_CLOEXEC);
            if (ev < 0) {
                int errno = s.errno();
                LinuxNative.close(ep);
                throw LinuxNative.error("eventfd", errno);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        this.epfd = ep;
        this.eventFd = ev;
        this.events = Arena.ofAuto().allocate((long) LinuxNative.EVENT_SIZE * MAX_EVENTS, 8);
        try {
            // The wake-up descriptor's tag has generation 0: no channel's key has.
            // Edge-triggered: every write is one event, and the loop never reads the counter back
            // (one syscall less per wake-up; it would take 2^64 wake-ups to fill).
            ctl(LinuxNative.EPOLL_CTL_ADD, eventFd, LinuxNative.EPOLLIN | LinuxNative.EPOLLET, eventFd);
        } catch (IOException e) {
            LinuxNative.close(eventFd);
            LinuxNative.close(epfd);
            throw e;
        }
    }

    // ---- registration (any thread) ----

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object attachment) {
        if (!(ch instanceof EpollChannel channel) || ch.provider() != provider()) {
            throw new IllegalSelectorException();
        }
        if (closed) {
            throw new ClosedSelectorException();
        }
        int fd = channel.fd();
        EpollKey key;
        synchronized (this) { // registrations among themselves (the array may grow); selects never wait
            long tag = ((long) (++generation & 0x7fffffff | 1) << 32) | (fd & 0xffffffffL);
            key = new EpollKey(this, ch, fd, tag);
            key.attach(attachment);
            EpollKey[] keys = byFd;
            if (fd >= keys.length) {
                keys = Arrays.copyOf(keys, Math.max(fd + 1, keys.length * 2));
            }
            SLOT.setRelease(keys, fd, key);
            byFd = keys;
        }
        channel.registered(key);
        try {
            key.interestOps(ops);
        } catch (RuntimeException e) {
            key.cancel();
            throw e;
        }
        return key;
    }

    /** A key cancelled (or its channel closing): out of the epoll set (if it was in) and the array. */
    void deregister(EpollKey key, boolean inKernel) {
        if (inKernel && !closed) {
            try {
                ctl(LinuxNative.EPOLL_CTL_DEL, key.fd, 0, 0);
            } catch (IOException e) {
                // The descriptor was closed already (EBADF) or never added (ENOENT): nothing to take out.
            }
        }
        synchronized (this) {
            EpollKey[] keys = byFd;
            if (key.fd < keys.length && keys[key.fd] == key) {
                SLOT.setRelease(keys, key.fd, (EpollKey) null);
            }
        }
        selectedKeys.remove(key);
    }

    /** {@code epoll_ctl} for {@code key} (ADD, MOD or DEL). */
    void control(int op, EpollKey key, int events) {
        try {
            ctl(op, key.fd, events, key.tag);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("epoll_ctl on " + key.channel(), e);
        }
    }

    private void ctl(int op, int fd, int eventMask, long tag) throws IOException {
        if (closed) {
            throw new ClosedSelectorException();
        }
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        s.event.set(JAVA_INT_UNALIGNED, 0, eventMask);
        s.event.set(JAVA_LONG_UNALIGNED, LinuxNative.EVENT_DATA_OFFSET, tag);
        int r;
        try {
            r = (int) LinuxNative.EPOLL_CTL.invokeExact(s.errno, epfd, op, fd, s.event);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        if (r < 0) {
            throw LinuxNative.error("epoll_ctl", s.errno());
        }
    }

    // ---- selecting (the selecting thread) ----

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("negative timeout");
        }
        return doSelect(action, timeout == 0 ? -1 : (int) Math.min(timeout, Integer.MAX_VALUE));
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        return doSelect(action, -1);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        return doSelect(action, 0);
    }

    @Override
    public int selectNow() throws IOException {
        return doSelect(null, 0);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("negative timeout");
        }
        return doSelect(null, timeout == 0 ? -1 : (int) Math.min(timeout, Integer.MAX_VALUE));
    }

    @Override
    public int select() throws IOException {
        return doSelect(null, -1);
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: no limit, 0: not at all) and reports each ready key,
     * to {@code action}, or into the selected-key set if it is null.
     */
    private int doSelect(Consumer<SelectionKey> action, int timeoutMillis) throws IOException {
        SELECTING.setVolatile(this, 1);
        int n;
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        try {
            if (closed) {
                throw new ClosedSelectorException();
            }
            boolean blocking = timeoutMillis != 0;
            if (blocking) {
                begin(); // an interrupt wakes the wait
            }
            try {
                n = (int) LinuxNative.EPOLL_WAIT_NOW.invokeExact(epfd, events, MAX_EVENTS, timeoutMillis);
            } finally {
                if (blocking) {
                    end();
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        } finally {
            SELECTING.setRelease(this, 0);
        }
        if (n < 0) {
            if (s.errnoNow() == LinuxNative.EINTR) {
                return 0; // a signal; or errno changed since, and the next wait says what it is
            }
            n = waitAgainCapturing(s);
        }
        int selected = 0;
        EpollKey[] keys = byFd;
        for (int i = 0; i < n; i++) {
            long at = (long) i * LinuxNative.EVENT_SIZE;
            long tag = events.get(JAVA_LONG_UNALIGNED, at + LinuxNative.EVENT_DATA_OFFSET);
            int fd = (int) tag;
            if ((tag >>> 32) == 0) { // generation 0: the wake-up descriptor
                woken = false; // the next wakeup() writes again (the JDK's selector has the same window)
                continue;
            }
            if (fd >= keys.length) {
                keys = byFd; // grown by a registration made since
            }
            EpollKey key = fd < keys.length ? (EpollKey) SLOT.getAcquire(keys, fd) : null;
            if (key == null || key.tag != tag || !key.isValid()) {
                continue; // closed (and maybe reused) since the kernel reported it
            }
            int ready = key.ready(events.get(JAVA_INT_UNALIGNED, at));
            if (ready == 0) {
                continue;
            }
            if (action != null) {
                selected++;
                key.readyOps = ready;
                action.accept(key);
            } else if (selectedKeys.add(key)) {
                selected++;
                key.readyOps = ready;
            } else if ((key.readyOps | ready) != key.readyOps) { // counted only if its ready set grew, as the JDK's
                selected++;
                key.readyOps |= ready;
            }
        }
        return selected;
    }

    /**
     * {@code epoll_wait} failed with something other than {@code EINTR}, as far as this thread's
     * {@code errno} says: the call that does not capture it may have let the JVM change it. Ask
     * again without waiting, capturing: a real failure (a closed or bad epoll descriptor) fails
     * again and is thrown; otherwise what it found is served as this select's events.
     */
    private int waitAgainCapturing(LinuxNative.Scratch s) throws IOException {
        if (closed) {
            throw new ClosedSelectorException();
        }
        int n;
        try {
            n = (int) LinuxNative.EPOLL_WAIT.invokeExact(s.errno, epfd, events, MAX_EVENTS, 0);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        if (n < 0) {
            if (s.errno() == LinuxNative.EINTR) {
                return 0;
            }
            throw LinuxNative.error("epoll_wait", s.errno());
        }
        return n;
    }

    // ---- waking ----

    /**
     * Wakes the select in progress, or makes the next one return at once: one {@code eventfd}
     * write, unless one was made since the selecting thread last woke. Posters take a lock among
     * themselves (gnetj's loops wake their selector only when a poster finds them asleep, so
     * rarely); the selecting thread takes none.
     */
    @Override
    public java.nio.channels.Selector wakeup() {
        synchronized (wakeLock) { // also keeps a write off a descriptor close() is about to close
            if (!woken && !closed) {
                // Marked before the write: the loop may wake and clear the mark before this
                // thread runs another instruction, and a mark set after that would stay up with
                // no event to clear it, silencing every later wake-up (HandoffBenchmark found it:
                // one second per wake-up, the loop's sweep interval).
                woken = true;
                try {
                    writeEventFd();
                } catch (RuntimeException | Error e) {
                    woken = false;
                    throw e;
                }
            }
        }
        return this;
    }

    /** Adds one to the eventfd's counter: an edge, so a wait wakes. Under {@link #wakeLock}. */
    private void writeEventFd() {
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        for (int attempt = 0; attempt < 2; attempt++) {
            s.counter.set(JAVA_LONG, 0, 1L);
            long r;
            try {
                r = (long) LinuxNative.WRITE_NOW.invokeExact(eventFd, s.counter.address(), 8L);
            } catch (Throwable t) {
                throw LinuxNative.rethrow(t);
            }
            if (r == 8 || s.errnoNow() != LinuxNative.EAGAIN) {
                return;
            }
            try { // the counter is full (never in practice): read it back to zero, and write again
                long unused = (long) LinuxNative.READ.invokeExact(s.errno, eventFd, s.counter.address(), 8L);
            } catch (Throwable t) {
                throw LinuxNative.rethrow(t);
            }
        }
    }

    // ---- keys and closing ----

    @Override
    public Set<SelectionKey> keys() {
        if (closed) {
            throw new ClosedSelectorException();
        }
        Set<SelectionKey> all = new HashSet<>();
        for (EpollKey key : byFd) {
            if (key != null && key.isValid()) {
                all.add(key);
            }
        }
        return Collections.unmodifiableSet(all);
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        if (closed) {
            throw new ClosedSelectorException();
        }
        return publicSelectedKeys;
    }

    @Override
    protected void implCloseSelector() throws IOException {
        closed = true;
        synchronized (wakeLock) { // wake a select in progress, whatever woken says
            writeEventFd();
        }
        // The descriptors close only once no thread is in epoll_wait on them: a number closed
        // under a waiting thread could be reused by a socket before the wait reads it again.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((int) SELECTING.getVolatile(this) != 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        synchronized (this) {
            for (EpollKey key : byFd) {
                if (key != null) {
                    key.invalidate();
                }
            }
            Arrays.fill(byFd, null);
        }
        selectedKeys.clear();
        LinuxNative.close(eventFd);
        LinuxNative.close(epfd);
    }

    @Override
    public String toString() {
        return "EpollSelector[epfd=" + epfd + (closed ? ", closed" : "") + ']';
    }

    /** The selected-key set users see: removal allowed, addition not (as the JDK's). */
    private static final class UngrowableSet extends java.util.AbstractSet<SelectionKey> {
        private final Set<SelectionKey> inner;

        UngrowableSet(Set<SelectionKey> inner) {
            this.inner = inner;
        }

        @Override
        public java.util.Iterator<SelectionKey> iterator() {
            return inner.iterator();
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public boolean remove(Object o) {
            return inner.remove(o);
        }

        @Override
        public boolean contains(Object o) {
            return inner.contains(o);
        }
    }
}
