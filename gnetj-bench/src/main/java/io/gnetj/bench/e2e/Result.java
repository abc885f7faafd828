package io.gnetj.bench.e2e;

import java.util.Map;

/**
 * One measured run: one case, one server, one round, on one JDK.
 *
 * @param jdk     the server JDK's label, e.g. {@code 17.0.15}
 * @param caseName {@link Case#name()}
 * @param impl    {@code gnetj}, {@code netty-nio} or {@code netty-epoll}
 * @param round   1-based
 * @param status  whether it was measured
 * @param metrics the figures (keys below), empty unless {@link Status#OK}
 * @param note    why it was skipped or failed, else {@code null}
 */
record Result(String jdk, String caseName, String impl, int round, Status status, Map<String, Double> metrics,
              String note) {

    enum Status { OK, SKIPPED, FAILED }

    /** Requests (or messages) per second; MiB/s for streaming. */
    static final String THROUGHPUT = "throughput";
    /** Requests (or messages) counted in the measured window. */
    static final String REQUESTS = "requests";
    /** Server process CPU time (user + system, every thread) per request, microseconds. */
    static final String CPU_US_PER_REQ = "cpu_us_per_req";
    /** Server process CPU time over the window's wall time, percent of one core. */
    static final String SERVER_CPU_PCT = "server_cpu_pct";
    /** Load generator CPU time over the window's wall time, percent of one core. */
    static final String LOAD_CPU_PCT = "load_cpu_pct";
    /**
     * CPU time used on the machine by everything but the server and the load generator over the
     * window's wall time, percent of one core: other processes competing for the two cores.
     */
    static final String OTHER_CPU_PCT = "other_cpu_pct";
    /** Bytes allocated by the server's event-loop threads per request. */
    static final String ALLOC_LOOP_B_PER_REQ = "alloc_loop_b_per_req";
    /** Bytes allocated by every live server thread per request. */
    static final String ALLOC_ALL_B_PER_REQ = "alloc_all_b_per_req";
    static final String P50_US = "p50_us";
    static final String P99_US = "p99_us";
    static final String P999_US = "p999_us";
    static final String RSS_BEFORE_MIB = "rss_before_mib";
    static final String RSS_AFTER_MIB = "rss_after_mib";
    static final String RSS_DELTA_MIB = "rss_delta_mib";
    /** Live heap (after a full GC) added per idle connection, bytes. */
    static final String HEAP_PER_CONN_B = "heap_per_conn_b";

    static Result skipped(String jdk, Case c, String impl, int round, Status status, String note) {
        return new Result(jdk, c.name(), impl, round, status, Map.of(), note);
    }

    double get(String key) {
        Double v = metrics.get(key);
        return v == null ? Double.NaN : v;
    }
}
