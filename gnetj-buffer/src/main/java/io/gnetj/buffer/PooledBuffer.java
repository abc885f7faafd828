package io.gnetj.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * One chunk of pooled direct memory and its bookkeeping: the unit a {@link BufferPool} lends.
 *
 * <p>Ownership: whoever took it from a {@link BufferAllocator} owns it until it passes it to
 * {@link BufferAllocator#release}, exactly once; after that neither the handle nor its
 * {@link #buffer()} or {@link #view()} may be touched. A pool recycles the handle together with
 * its memory, so holding on to a released handle is a use-after-free bug that may read another
 * owner's bytes.
 *
 * <p>While lent out, a handle is referenced only by its owner (and, when leak detection tracks
 * it, by a weak reference): free lists hold only free handles. That is what lets the garbage
 * collector find a handle its owner dropped without releasing it.
 *
 * <p>Threading: the owner's thread; release is safe from any thread through {@link BufferPool}.
 * On the shared path (a take from a shared free list, any release that is not the lending cache's
 * own) the in-use/free state is flipped with a CAS, so that two racing releases cannot both
 * succeed. On a {@link BufferCache}'s own path (a chunk popped from its stack, or a chunk it lent
 * coming back to it) the owner thread holds the handle exclusively, so the flip is an opaque
 * check-then-store: no atomic instruction, yet a second release by the owner still sees FREE and
 * throws. Opaque (not plain) so that a CAS of another thread sees the owner's flip in one
 * coherent order; a release racing the owner's own release from another thread is a bug in the
 * caller that the shared path catches only when it loses the race.
 */
public final class PooledBuffer {

    private static final int FREE = 0;
    private static final int IN_USE = 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PooledBuffer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final BufferPool pool;
    /** Size class index, or -1 for an unpooled chunk that is dropped on release. */
    final int sizeClass;
    private final ByteBuffer buffer;
    private ByteBuffer view;
    private ByteBuffer raw;
    private ByteBuffer readOnlyView;
    @SuppressWarnings("unused") // accessed only through STATE, in the access mode each path needs
    private int state;
    /** Non-null while a leak detector tracks this lending; owner's thread (then the releaser). */
    LeakDetector.Record leakRecord;
    /**
     * The ledger of the {@link BufferCache} that lent this handle, or null when the pool lent it
     * directly. Written by the lending thread before the owner gets the handle, read by whoever
     * releases it (who got the handle through a hand-off that orders the write before the read).
     */
    CacheLedger lender;

    PooledBuffer(BufferPool pool, int sizeClass, int capacity) {
        this.pool = pool;
        this.sizeClass = sizeClass;
        this.buffer = ByteBuffer.allocateDirect(capacity);
    }

    /**
     * {@return the memory: a direct buffer of {@link #capacity()} bytes} Position and limit are the
     * owner's to use. The owner's thread only (ownership may pass to another thread through a
     * happens-before hand-off, such as a task queue), until the release; after it the buffer must
     * not be touched.
     */
    public ByteBuffer buffer() {
        return buffer;
    }

    /**
     * {@return a second {@link ByteBuffer} over the same memory (independent position and limit)}
     * It is created on first use and kept for the chunk's life, for owners that need two windows at
     * once (a ring buffer's wrapped segments) without allocating.
     * The owner's thread only, and like {@link #buffer()} dead once the buffer is released.
     */
    public ByteBuffer view() {
        ByteBuffer v = view;
        if (v == null) {
            v = buffer.duplicate().clear();
            view = v;
        }
        return v;
    }

    /**
     * {@return a read-only {@link ByteBuffer} over the same memory (independent position and
     * limit)} It is created on first use and kept for the chunk's life: what an owner lends to code
     * that must only read the bytes, so that such code can tell the memory is not its own
     * ({@link ByteBuffer#isReadOnly()}), and so that a duplicate or slice it makes stays read-only
     * too. The owner's thread only, as {@link #buffer()}, and dead once the buffer is released.
     */
    public ByteBuffer readOnlyView() {
        ByteBuffer v = readOnlyView;
        if (v == null) {
            v = buffer.asReadOnlyBuffer().clear();
            readOnlyView = v;
        }
        return v;
    }

    /**
     * A third {@link ByteBuffer} over the same memory for this module's own absolute copies,
     * created on first use and kept for the chunk's life. Never handed out, so its limit stays at
     * the capacity: absolute bulk {@code get}/{@code put} are bounded by the limit, and the limits
     * of {@link #buffer()} and {@link #view()} belong to whoever holds them as views.
     */
    ByteBuffer raw() {
        ByteBuffer r = raw;
        if (r == null) {
            r = buffer.duplicate().clear(); // a duplicate starts with the original's window
            raw = r;
        }
        return r;
    }

    /** {@return the size of the chunk in bytes (a power of two for pooled sizes)} Any thread. */
    public int capacity() {
        return buffer.capacity();
    }

    /** {@return the pool this chunk belongs to} Any thread. */
    public BufferPool pool() {
        return pool;
    }

    /** Whether the pool recycles this chunk (false for requests above the largest size class). */
    boolean isPooled() {
        return sizeClass >= 0;
    }

    /**
     * Marks a handle taken from a shared free list (or newly allocated) lent out: a CAS, because
     * the list is shared. A handle found not free here means the pool itself is corrupt.
     */
    void markInUse() {
        if (!STATE.compareAndSet(this, FREE, IN_USE)) {
            throw new IllegalStateException("pooled buffer handed out while in use: " + this);
        }
        clearWindows();
    }

    /**
     * Marks a handle popped from the calling owner's cache stack lent out. Only that owner has
     * referenced the handle since it released it, so an opaque check-then-store is enough.
     */
    void markInUseByOwner() {
        if ((int) STATE.getOpaque(this) != FREE) {
            throw new IllegalStateException("pooled buffer handed out while in use: " + this);
        }
        STATE.setOpaque(this, IN_USE);
        clearWindows();
    }

    /** Marks the handle free; exactly one caller wins, every other one gets an exception. Any thread. */
    void markFree() {
        if (!STATE.compareAndSet(this, IN_USE, FREE)) {
            throw new IllegalStateException("buffer released twice (or never taken): " + this);
        }
    }

    /**
     * Marks free a handle that the calling owner's cache lent and that comes back to that cache.
     * The owner holds it exclusively, so a second release by the owner reads FREE (its own earlier
     * store) and throws, without an atomic instruction.
     */
    void markFreeByOwner() {
        if ((int) STATE.getOpaque(this) != IN_USE) {
            throw new IllegalStateException("buffer released twice (or never taken): " + this);
        }
        STATE.setOpaque(this, FREE);
    }

    private void clearWindows() {
        buffer.clear();
        ByteBuffer v = view;
        if (v != null) {
            v.clear();
        }
    }

    @Override
    public String toString() {
        return "PooledBuffer[" + capacity() + " bytes of " + pool + (sizeClass < 0 ? ", unpooled]" : "]");
    }
}
