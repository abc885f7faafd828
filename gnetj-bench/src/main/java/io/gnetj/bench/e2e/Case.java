package io.gnetj.bench.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One end-to-end measurement: a workload (which server code answers), a load (what drives it)
 * and the implementations compared on it.
 *
 * @param name     short name used in flags and reports
 * @param workload {@code echo}, {@code http} or {@code stripped}: what {@link ServerMain} serves
 * @param load     how it is driven
 * @param conns    connections the load opens
 * @param param    wrk: requests per write (pipelining depth); ping-pong and stream: message size
 * @param impls    the servers compared, Netty NIO (the reference) among them
 */
record Case(String name, String workload, Load load, int conns, int param, List<String> impls) {

    /** What drives the server. */
    enum Load {
        /** wrk, {@code GET /plaintext}. */
        WRK("req/s"),
        /** {@link EchoLoad} ping-pong: one message in flight per connection, latency per round trip. */
        PINGPONG("msg/s"),
        /** {@link EchoLoad} streaming: several messages in flight per connection. */
        STREAM("MiB/s"),
        /** {@link EchoLoad} idle: connections held open, memory measured. */
        IDLE("");

        final String unit;

        Load(String unit) {
            this.unit = unit;
        }
    }

    static final String GNETJ = "gnetj";
    /** gnetj on its epoll transport (FFM; JDK 22+ only: elsewhere the server reports it unavailable). */
    static final String GNETJ_EPOLL = "gnetj-epoll";
    static final String NETTY_NIO = "netty-nio";
    static final String NETTY_EPOLL = "netty-epoll";
    /** The stream load's messages in flight per connection. */
    static final int STREAM_INFLIGHT = 8;

    /** The implementation every ratio is taken against. */
    static final String REFERENCE = NETTY_NIO;

    private static final List<String> ALL = List.of(GNETJ, GNETJ_EPOLL, NETTY_NIO, NETTY_EPOLL);
    private static final List<String> STRIPPED = List.of(GNETJ, GNETJ_EPOLL, NETTY_NIO);

    /** Every case, in report order. {@code idleConns} sets the connections of the memory cases. */
    static List<Case> all(int idleConns) {
        return List.of(
                new Case("http", "http", Load.WRK, 64, 1, ALL),
                new Case("http-pipelined", "http", Load.WRK, 256, 16, ALL),
                new Case("stripped", "stripped", Load.WRK, 64, 1, STRIPPED),
                new Case("stripped-pipelined", "stripped", Load.WRK, 256, 16, STRIPPED),
                new Case("echo-pingpong", "echo", Load.PINGPONG, 64, 512, ALL),
                new Case("echo-stream", "echo", Load.STREAM, 16, 4096, ALL),
                new Case("idle-echo", "echo", Load.IDLE, idleConns, 0, ALL),
                new Case("idle-http", "http", Load.IDLE, idleConns, 0, ALL));
    }

    /** One line describing the load, for reports. */
    String describe() {
        switch (load) {
            case WRK:
                return "wrk, " + conns + " connections, " + (param == 1 ? "1 request per write"
                        : param + " pipelined requests per write");
            case PINGPONG:
                return "ping-pong, " + conns + " connections, " + param + " B messages, 1 in flight per connection";
            case STREAM:
                return "streaming, " + conns + " connections, " + param / 1024 + " KiB messages, "
                        + STREAM_INFLIGHT + " in flight per connection";
            default:
                return String.format(java.util.Locale.ROOT, "%,d idle connections", conns);
        }
    }

    /**
     * Groups cases that one server process can serve in turn (same workload, same servers), idle
     * cases first so memory is measured on a fresh server.
     */
    static List<List<Case>> sessions(List<Case> cases, boolean shareServers) {
        if (!shareServers) {
            List<List<Case>> each = new ArrayList<>();
            for (Case c : cases) {
                each.add(List.of(c));
            }
            return each;
        }
        Map<String, List<Case>> groups = new LinkedHashMap<>();
        for (Case c : cases) {
            groups.computeIfAbsent(c.workload + c.impls, k -> new ArrayList<>()).add(c);
        }
        List<List<Case>> out = new ArrayList<>();
        for (List<Case> g : groups.values()) {
            g.sort((a, b) -> Boolean.compare(a.load != Load.IDLE, b.load != Load.IDLE));
            out.add(g);
        }
        return out;
    }
}
