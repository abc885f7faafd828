/**
 * {@link io.gnetj.pool.WorkerPool}: a bounded pool of worker threads for the blocking work an
 * event loop must not do, gnet's goroutine pool in Java.
 */
package io.gnetj.pool;
