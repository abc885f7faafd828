package io.gnetj;

import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * What a load balancer said about a connection in its PROXY protocol header (HAProxy's
 * specification, versions 1 and 2), read by gnetj before {@code onOpen} when
 * {@link Options#proxyProtocol()} is on. {@link Conn#remoteAddress()} and
 * {@link Conn#localAddress()} then report {@link #source()} and {@link #destination()}; this
 * value keeps the rest: the version, whether the balancer spoke for a client at all
 * ({@link #local()}: a health check), and version 2's TLVs.
 *
 * <p>Immutable: any thread. The TLV values are copies made when the header was read.
 *
 * @param version     1 (text) or 2 (binary)
 * @param local       {@code true} for version 2's LOCAL command and version 1's {@code UNKNOWN}:
 *                    the balancer's own connection; the socket's addresses stay the connection's
 * @param source      the client's address, or {@code null} when {@link #local()} or unknown
 * @param destination the address the client connected to, or {@code null} likewise
 * @param tlvs        version 2's type-length-value fields, in order (empty for version 1)
 */
public record ProxyHeader(int version, boolean local, SocketAddress source, SocketAddress destination, List<Tlv> tlvs) {

    /** Version 2's ALPN TLV type (PP2_TYPE_ALPN). */
    public static final int TYPE_ALPN = 0x01;
    /** Version 2's authority (SNI host name) TLV type (PP2_TYPE_AUTHORITY). */
    public static final int TYPE_AUTHORITY = 0x02;
    /** Version 2's unique connection ID TLV type (PP2_TYPE_UNIQUE_ID). */
    public static final int TYPE_UNIQUE_ID = 0x05;
    /** Version 2's SSL information TLV type (PP2_TYPE_SSL). */
    public static final int TYPE_SSL = 0x20;

    /**
     * Checks the fields; the list is copied. Any thread.
     *
     * @throws IllegalArgumentException if {@code version} is not 1 or 2
     */
    public ProxyHeader {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("PROXY protocol version must be 1 or 2, got " + version);
        }
        tlvs = List.copyOf(Objects.requireNonNull(tlvs, "tlvs"));
    }

    /**
     * {@return the value of the first TLV of {@code type}, or {@code null}} A copy each call. Any
     * thread.
     */
    public byte[] tlv(int type) {
        for (Tlv t : tlvs) {
            if (t.type() == type) {
                return t.value();
            }
        }
        return null;
    }

    /**
     * One version-2 type-length-value field.
     *
     * <p>Immutable: any thread.
     *
     * @param type  0-255
     * @param value its bytes (copied in and out)
     */
    public record Tlv(int type, byte[] value) {

        /**
         * Checks and copies. Any thread.
         *
         * @throws IllegalArgumentException if {@code type} is not 0-255
         */
        public Tlv {
            if (type < 0 || type > 255) {
                throw new IllegalArgumentException("TLV type must be 0-255, got " + type);
            }
            value = value.clone();
        }

        /** {@return a copy of the value} Any thread. */
        @Override
        public byte[] value() {
            return value.clone();
        }
    }
}
