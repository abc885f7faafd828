package io.gnetj.internal;

import io.gnetj.LoadBalancing;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Picks the event loop for an accepted connection.
 *
 * <p>Threading: called only by the main reactor thread.
 */
abstract class LoadBalancer {
    final EventLoop[] loops;

    LoadBalancer(EventLoop[] loops) {
        this.loops = loops;
    }

    /** The loop for a connection from {@code remote} (may be {@code null} if unknown). */
    abstract EventLoop next(SocketAddress remote);

    /** Whether {@link #next} needs the peer's address (fetching it costs an allocation). */
    boolean needsAddress() {
        return false;
    }

    static LoadBalancer of(LoadBalancing kind, EventLoop[] loops) {
        switch (kind) {
            case ROUND_ROBIN: return new RoundRobin(loops);
            case SOURCE_ADDRESS_HASH: return new SourceAddressHash(loops);
            case LEAST_CONNECTIONS: return new LeastConnections(loops);
            default: throw new IllegalArgumentException("unknown load balancing " + kind);
        }
    }

    /** 0, 1, ..., n-1, 0, ... */
    static final class RoundRobin extends LoadBalancer {
        private int next;

        RoundRobin(EventLoop[] loops) {
            super(loops);
        }

        @Override
        EventLoop next(SocketAddress remote) {
            EventLoop loop = loops[next];
            next = next + 1 == loops.length ? 0 : next + 1;
            return loop;
        }
    }

    /**
     * A mixed hash of the peer's IP address bytes (not the port): every connection from one host
     * lands on the same loop. Non-IP peers (Unix sockets) go to loop 0.
     */
    static final class SourceAddressHash extends LoadBalancer {
        SourceAddressHash(EventLoop[] loops) {
            super(loops);
        }

        @Override
        boolean needsAddress() {
            return true;
        }

        @Override
        EventLoop next(SocketAddress remote) {
            if (!(remote instanceof InetSocketAddress) || ((InetSocketAddress) remote).getAddress() == null) {
                return loops[0];
            }
            return loops[indexFor(((InetSocketAddress) remote).getAddress().getAddress(), loops.length)];
        }

        /** FNV-1a over the address bytes, then a murmur3 finalizer, reduced to {@code [0, n)}. */
        static int indexFor(byte[] ip, int n) {
            int h = 0x811c9dc5;
            for (byte b : ip) {
                h = (h ^ (b & 0xff)) * 0x01000193;
            }
            h ^= h >>> 16;
            h *= 0x85ebca6b;
            h ^= h >>> 13;
            h *= 0xc2b2ae35;
            h ^= h >>> 16;
            return Math.floorMod(h, n);
        }
    }

    /**
     * The loop with the fewest connections, counting ones handed off but not yet registered;
     * ties go to the lowest index.
     */
    static final class LeastConnections extends LoadBalancer {
        LeastConnections(EventLoop[] loops) {
            super(loops);
        }

        @Override
        EventLoop next(SocketAddress remote) {
            EventLoop best = loops[0];
            int bestLoad = best.load().get();
            for (int i = 1; i < loops.length; i++) {
                int load = loops[i].load().get();
                if (load < bestLoad) {
                    best = loops[i];
                    bestLoad = load;
                }
            }
            return best;
        }
    }
}
