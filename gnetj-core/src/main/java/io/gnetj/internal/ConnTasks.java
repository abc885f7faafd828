package io.gnetj.internal;

/**
 * The two tasks a {@link TcpConn} posts to its own loop, made once per connection that needs
 * them and reused: handing over input that waited while reading was paused (a handler may have
 * stopped decoding a pipeline at the high-water mark, and no new bytes may ever come to call it
 * again), and telling the handler its writability changed. Both run as tasks because the change
 * that calls for them may happen inside a callback or a flush. The decisions stay the
 * connection's ({@link TcpConn#resumeIfReading()}, {@link TcpConn#fireWritability}).
 *
 * <p>Threading: the connection's loop thread only.
 */
final class ConnTasks {

    private final TcpConn conn;
    private final LoopTask resume;
    private final LoopTask writability;
    private boolean writabilityPosted;
    /** What the handler was last told (it starts writable). */
    private boolean reportedWritable = true;

    ConnTasks(TcpConn conn) {
        this.conn = conn;
        this.resume = new LoopTask() {
            @Override
            void run() {
                conn.resumeIfReading();
            }

            @Override
            void abort(Throwable cause) {
                // The loop ended and closed the connection; nothing to resume.
            }
        };
        this.writability = new LoopTask() {
            @Override
            void run() {
                writabilityPosted = false;
                boolean now = conn.isWritable();
                if (conn.state() == TcpConn.OPEN && now != reportedWritable) {
                    reportedWritable = now; // reports alternate, whatever happened in between
                    conn.fireWritability(now);
                }
            }

            @Override
            void abort(Throwable cause) {
                // The loop ended and closed the connection: no more reports.
            }
        };
    }

    void postResume() {
        conn.loop.execute(resume);
    }

    /**
     * The connection's writability changed: counts it (metrics, JFR), then posts the report unless
     * one is pending (it reads the writability when it runs).
     */
    void postWritability(boolean writable) {
        LoopCounters counters = conn.loop.counters();
        if (writable) {
            counters.waterMarkResumes++;
        } else {
            counters.waterMarkPauses++;
        }
        Jfr.writability(conn, writable, conn.queued());
        if (!writabilityPosted) {
            writabilityPosted = true;
            conn.loop.execute(writability);
        }
    }
}
