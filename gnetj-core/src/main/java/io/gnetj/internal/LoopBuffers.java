package io.gnetj.internal;

import io.gnetj.buffer.BufferCache;
import java.nio.ByteBuffer;

/**
 * The memory one event loop shares among its connections: the read buffer every connection reads
 * into when it has nothing buffered, scratch buffers for TLS and datagrams, and the loop's
 * {@link BufferCache}, through which every connection buffer of the loop is taken and released.
 *
 * <pre>
 *   readBuffer   [ fresh bytes of the connection being served ]  lent read-only as readView
 *   tlsNetIn     [ partial record kept from last time | ciphertext just read ]
 *   tlsNetOut    [ records wrapped for one write ]
 *   discard      where closing connections drop what their peers still send
 * </pre>
 *
 * <p>Sharing is safe because a loop serves one connection at a time and no shared buffer holds
 * anything across events: what a connection must keep (unconsumed bytes, a partial TLS record,
 * ciphertext the kernel did not take) is copied into memory of its own, sized to what it keeps.
 * That is what bounds a connection's memory by what it has buffered (see
 * docs/reliability.md, "Memory per connection").
 *
 * <p>Threading: the owning loop's thread only. The buffers that serve a protocol a loop may never
 * see (TLS, UDP) are made on first use.
 */
final class LoopBuffers {

    /** Room for a TLS record (16 KiB of plaintext plus overhead, 16,709 bytes in the JDK). */
    private static final int TLS_RECORD = 17 * 1024;

    private final BufferCache cache;
    private final ByteBuffer readBuffer;
    private final ByteBuffer readView;
    private final ByteBuffer discard = ByteBuffer.allocateDirect(8 * 1024);
    private ByteBuffer tlsNetIn;
    private ByteBuffer tlsNetOut;
    private ByteBuffer tlsPlaintext;
    private ByteBuffer datagramBuffer;
    private ByteBuffer datagramView;
    private ByteBuffer datagramScratch;

    LoopBuffers(BufferCache cache, int readBufferCap) {
        this.cache = cache;
        this.readBuffer = ByteBuffer.allocateDirect(readBufferCap);
        this.readView = readBuffer.asReadOnlyBuffer();
    }

    /** Where every connection buffer of the loop is taken from and released to. */
    BufferCache cache() {
        return cache;
    }

    /** The shared read buffer: fresh bytes land here; cleared by whoever reads into it. */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /** A read-only window on {@link #readBuffer()}, lent to handlers as the view of fresh bytes. */
    ByteBuffer readView() {
        return readView;
    }

    /** Scratch for input that is read only to be dropped. */
    ByteBuffer discard() {
        return discard;
    }

    /**
     * Scratch for ciphertext being read and unwrapped: room for a kept partial record and a full
     * record more, and at least a read buffer's worth.
     */
    ByteBuffer tlsNetIn(int packetSize) {
        int want = Math.max(readBuffer.capacity(), 2 * Math.max(packetSize, TLS_RECORD));
        if (tlsNetIn == null || tlsNetIn.capacity() < want) {
            tlsNetIn = ByteBuffer.allocateDirect(want);
        }
        return tlsNetIn;
    }

    /** Scratch for records wrapped for one write: three full records. */
    ByteBuffer tlsNetOut(int packetSize) {
        int want = 3 * Math.max(packetSize, TLS_RECORD) + 1024;
        if (tlsNetOut == null || tlsNetOut.capacity() < want) {
            tlsNetOut = ByteBuffer.allocateDirect(want);
        }
        return tlsNetOut;
    }

    /**
     * Where TLS plaintext is unwrapped: the read buffer (so it is lent fresh, as for a plain read)
     * when a record's plaintext fits, else a buffer of its own.
     */
    ByteBuffer tlsPlaintext(int applicationBufferSize) {
        if (readBuffer.capacity() >= applicationBufferSize) {
            return readBuffer.clear();
        }
        if (tlsPlaintext == null || tlsPlaintext.capacity() < applicationBufferSize) {
            tlsPlaintext = ByteBuffer.allocateDirect(applicationBufferSize);
        }
        return tlsPlaintext.clear();
    }

    /**
     * The buffer datagrams are received into: 64 KiB, more than any UDP payload, so none is cut.
     */
    ByteBuffer datagramBuffer() {
        if (datagramBuffer == null) {
            datagramBuffer = ByteBuffer.allocateDirect(64 * 1024);
            datagramView = datagramBuffer.asReadOnlyBuffer();
        }
        return datagramBuffer;
    }

    /** A read-only window on {@link #datagramBuffer()}, lent to handlers as the datagram's view. */
    ByteBuffer datagramView() {
        datagramBuffer();
        return datagramView;
    }

    /** Where a UDP {@code writev} gathers its buffers into one datagram. */
    ByteBuffer datagramScratch() {
        if (datagramScratch == null) {
            datagramScratch = ByteBuffer.allocateDirect(64 * 1024);
        }
        return datagramScratch;
    }
}
