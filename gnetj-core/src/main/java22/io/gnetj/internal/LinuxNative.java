package io.gnetj.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * The Linux calls the epoll transport makes, as Foreign Function &amp; Memory downcalls into the C
 * library the JVM already runs on (no library of gnetj's own), each capturing {@code errno}.
 *
 * <h2>Pointers to buffer memory</h2>
 * The byte buffers read into and written from are the pools' direct buffers. Their address is
 * passed as a {@code long}: on the two ABIs this transport runs on (x86-64 System V and AArch64
 * AAPCS64, both LP64) a pointer argument travels in the same integer register as a 64-bit
 * integer, so the C function sees the same bits. That avoids making a {@link MemorySegment} per
 * call; struct arguments (socket addresses, {@code epoll_event}, {@code iovec}) use real segments
 * from the calling thread's {@link Scratch}. {@link Transports} refuses other architectures.
 *
 * <h2>errno on the hot path</h2>
 * Capturing {@code errno} ({@link Linker.Option#captureCallState}) makes the JDK slice the capture
 * segment on every call, an object the JIT does not always scalar-replace at the depth an event
 * loop calls from: 40 bytes per round trip in {@code AllocationTest}, on some runs. So the calls
 * made per event do not capture: {@code read}, {@code write} and {@code writev} (non-blocking,
 * so they never block) are critical calls, with no transition back from native code in which the
 * JVM could run and change {@code errno} before it is read; {@code errno} is then read from the
 * thread's own cell ({@code __errno_location()}, looked up once per thread), in the same method,
 * straight after the call. {@code epoll_wait} may block, so it cannot be critical: a failure
 * other than {@code EINTR} is asked again with a capturing call before it is believed. Every
 * other call captures.
 *
 * <h2>Constants</h2>
 * Linux's generic values, the same on x86-64 and AArch64 (errno numbers, socket levels and
 * options, flags). Only {@code struct epoll_event} differs: packed (12 bytes) on x86-64, 16 bytes
 * on AArch64.
 *
 * <p>Threading: the handles may be called from any thread; each thread uses its own {@link Scratch}.
 */
final class LinuxNative {

    // ---- errno ----
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int EPIPE = 32;
    static final int EADDRINUSE = 98;
    static final int EADDRNOTAVAIL = 99;
    static final int ENETUNREACH = 101;
    static final int ECONNABORTED = 103;
    static final int ECONNRESET = 104;
    static final int ENOBUFS = 105;
    static final int ENOTCONN = 107;
    static final int ETIMEDOUT = 110;
    static final int ECONNREFUSED = 111;
    static final int EHOSTUNREACH = 113;
    static final int EALREADY = 114;
    static final int EINPROGRESS = 115;
    static final int EAFNOSUPPORT = 97;

    // ---- sockets ----
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_ERROR = 4;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_KEEPALIVE = 9;
    static final int SO_LINGER = 13;
    static final int SO_REUSEPORT = 15;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int TCP_NODELAY = 1;
    static final int TCP_KEEPIDLE = 4;
    static final int TCP_KEEPINTVL = 5;
    static final int TCP_KEEPCNT = 6;
    static final int SHUT_RD = 0;
    static final int SHUT_WR = 1;
    static final int SHUT_RDWR = 2;

    // ---- epoll, eventfd ----
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLLET = 0x80000000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    /** {@code struct epoll_event}: {@code uint32_t events; uint64_t data}, packed on x86-64 only. */
    static final boolean PACKED_EVENTS = !System.getProperty("os.arch", "").equals("aarch64");
    static final int EVENT_SIZE = PACKED_EVENTS ? 12 : 16;
    static final int EVENT_DATA_OFFSET = PACKED_EVENTS ? 4 : 8;

    /** Most {@code iovec}s one {@code writev} takes (Linux's IOV_MAX). */
    static final int IOV_MAX = 1024;
    /** Room for any socket address this transport makes or reads ({@code sockaddr_un} is 110 bytes). */
    static final int SOCKADDR_CAP = 128;
    /**
     * Entries of a thread's buffer-address cache (a power of two; two ways of 2,048 sets): room for
     * the buffers of thousands of busy connections on one loop, 48 KiB per thread that does I/O.
     */
    static final int ADDRESS_CACHE = 4096;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // ssize_t read(int, void *, size_t) and friends: buffer pointers as long (see the class comment).
    static final MethodHandle READ = link("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    /**
     * The per-event calls, without a capture segment (see "errno on the hot path"): read, write and
     * writev on non-blocking descriptors, which never block, as critical calls; epoll_wait, which
     * does, as a plain one.
     */
    static final MethodHandle READ_NOW = linkCritical("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle WRITE_NOW = linkCritical("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle WRITEV_NOW = linkCritical("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle EPOLL_WAIT_NOW = LINKER.downcallHandle(symbol("epoll_wait"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ERRNO_LOCATION = LINKER.downcallHandle(symbol("__errno_location"),
            FunctionDescriptor.of(ADDRESS));
    static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle EPOLL_CREATE1 = link("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle EPOLL_CTL = link("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle EPOLL_WAIT = link("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle EVENTFD = link("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle SOCKET = link("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle BIND = link("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle LISTEN = link("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle ACCEPT4 = link("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle CONNECT = link("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle GETSOCKNAME = link("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle GETPEERNAME = link("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle SETSOCKOPT = link("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle GETSOCKOPT = link("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle SHUTDOWN = link("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private LinuxNative() {
    }

    private static MethodHandle link(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, ERRNO);
    }

    private static MethodHandle linkCritical(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, Linker.Option.critical(false));
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in the C library"));
    }


    /**
     * A thread's memory for the calls' struct arguments and captured {@code errno}: made once per
     * thread that calls, freed with it (an automatic arena). Event loops reuse theirs for every call.
     */
    static final class Scratch {
        private static final ThreadLocal<Scratch> MINE = ThreadLocal.withInitial(Scratch::new);

        final MemorySegment errno;
        /** A socket address, in or out. */
        final MemorySegment sockaddr;
        /** A {@code socklen_t}, in and out. */
        final MemorySegment length;
        /** An option value: an int, or {@code struct linger}. */
        final MemorySegment option;
        /** One {@code struct epoll_event}, for {@code epoll_ctl}. */
        final MemorySegment event;
        /** {@code struct iovec[IOV_MAX]}, for {@code writev}. */
        final MemorySegment iovecs;
        /** Eight bytes, for {@code eventfd} counters. */
        final MemorySegment counter;
        /** This thread's {@code errno} itself, for the calls that do not capture it. */
        private final MemorySegment errnoCell;
        /** A direct bounce buffer for heap buffers (made on first use). */
        private ByteBuffer bounce;
        /** Buffers whose address is known, by identity hash (see {@link #address}); weak, so nothing is kept alive. */
        @SuppressWarnings("unchecked")
        private final WeakReference<ByteBuffer>[] known = new WeakReference[ADDRESS_CACHE];
        private final long[] bases = new long[ADDRESS_CACHE];

        private Scratch() {
            Arena arena = Arena.ofAuto();
            errno = arena.allocate(Linker.Option.captureStateLayout());
            sockaddr = arena.allocate(SOCKADDR_CAP, 8);
            length = arena.allocate(JAVA_INT);
            option = arena.allocate(16, 8);
            event = arena.allocate(16, 8);
            iovecs = arena.allocate(16L * IOV_MAX, 8);
            counter = arena.allocate(JAVA_LONG);
            try {
                errnoCell = ((MemorySegment) ERRNO_LOCATION.invokeExact()).reinterpret(4);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        static Scratch get() {
            return MINE.get();
        }

        /** The {@code errno} the last capturing call through this scratch left. */
        int errno() {
            return (int) ERRNO_VALUE.get(errno, 0L);
        }

        /**
         * This thread's {@code errno} now: read straight after a critical call that failed (see
         * "errno on the hot path"); on the thread that owns this scratch only.
         */
        int errnoNow() {
            return errnoCell.get(JAVA_INT, 0);
        }

        /**
         * The address of {@code buffer}'s position (a direct buffer). A buffer's memory never
         * moves, so its base address is looked up once, with {@link MemorySegment#ofBuffer}, and
         * kept by the buffer's identity: the pools' buffers are long-lived objects, used again
         * and again, and making a segment per call allocates on the loop (the JIT cannot always
         * see through it at the depth an event loop calls from).
         */
        long address(ByteBuffer buffer) {
            // Two ways: the slot its identity hash names, then its neighbour; a miss replaces the
            // older-looking of the two (the first, moving it to the second), so two hot buffers
            // that share a slot do not evict each other on every call.
            int slot = System.identityHashCode(buffer) & (ADDRESS_CACHE - 2);
            WeakReference<ByteBuffer> first = known[slot];
            if (first != null && first.get() == buffer) {
                return bases[slot] + buffer.position();
            }
            WeakReference<ByteBuffer> second = known[slot + 1];
            if (second != null && second.get() == buffer) {
                return bases[slot + 1] + buffer.position();
            }
            known[slot + 1] = first;
            bases[slot + 1] = bases[slot];
            long base = MemorySegment.ofBuffer(buffer).address() - buffer.position();
            known[slot] = new WeakReference<>(buffer);
            bases[slot] = base;
            return base + buffer.position();
        }

        ByteBuffer bounce() {
            if (bounce == null) {
                bounce = ByteBuffer.allocateDirect(64 * 1024);
            }
            return bounce.clear();
        }
    }

    // ---- errors ----

    /** What {@code errno} means, as the JDK's own socket channels say it where they have a phrase. */
    static String describe(int errno) {
        switch (errno) {
            case EPIPE: return "Broken pipe";
            case ECONNRESET: return "Connection reset by peer";
            case ECONNREFUSED: return "Connection refused";
            case ETIMEDOUT: return "Connection timed out";
            case EHOSTUNREACH: return "No route to host";
            case ENETUNREACH: return "Network is unreachable";
            case EADDRINUSE: return "Address already in use";
            case EADDRNOTAVAIL: return "Cannot assign requested address";
            case EACCES: return "Permission denied";
            case EMFILE: return "Too many open files";
            case ENFILE: return "Too many open files in system";
            case ENOBUFS: return "No buffer space available";
            case ENOMEM: return "Cannot allocate memory";
            case ENOTCONN: return "Socket is not connected";
            case EBADF: return "Bad file descriptor";
            case EINVAL: return "Invalid argument";
            case EAFNOSUPPORT: return "Address family not supported by protocol";
            case ECONNABORTED: return "Software caused connection abort";
            default: return "errno " + errno;
        }
    }

    /** The exception a failed call on a socket throws: {@code op} and what errno means. */
    static IOException error(String op, int errno) {
        String message = describe(errno) + " (" + op + ")";
        switch (errno) {
            case ECONNREFUSED:
            case ETIMEDOUT:
                return new ConnectException(message);
            case EHOSTUNREACH:
            case ENETUNREACH:
                return new NoRouteToHostException(message);
            case EADDRINUSE:
            case EADDRNOTAVAIL:
            case EACCES:
                return op.startsWith("bind") ? new BindException(message) : new SocketException(message);
            case EPIPE:
            case ECONNRESET:
            case ENOTCONN:
            case ECONNABORTED:
                return new SocketException(message);
            default:
                return new IOException(message);
        }
    }

    // ---- small calls ----

    /** Closes {@code fd}; never retried (on Linux the descriptor is gone even on EINTR). */
    static void close(int fd) {
        try {
            int unused = (int) CLOSE.invokeExact(Scratch.get().errno, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets an int socket option, or throws. */
    static void setInt(int fd, int level, int name, int value) throws IOException {
        Scratch s = Scratch.get();
        s.option.set(JAVA_INT, 0, value);
        int r;
        try {
            r = (int) SETSOCKOPT.invokeExact(s.errno, fd, level, name, s.option, 4);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw error("setsockopt", s.errno());
        }
    }

    /** Reads an int socket option, or throws. */
    static int getInt(int fd, int level, int name) throws IOException {
        Scratch s = Scratch.get();
        s.length.set(JAVA_INT, 0, 4);
        int r;
        try {
            r = (int) GETSOCKOPT.invokeExact(s.errno, fd, level, name, s.option, s.length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw error("getsockopt", s.errno());
        }
        return s.option.get(JAVA_INT, 0);
    }

    /** A downcall threw: only a JVM error can (a native function cannot throw into Java). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("unexpected failure of a downcall", t);
    }
}
