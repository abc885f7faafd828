package io.gnetj.internal;

/**
 * Work posted to an {@link EventLoop} from any thread.
 *
 * <p>Threading: {@link #run()} runs on the loop thread; {@link #abort(Throwable)} runs instead,
 * exactly once, on whichever thread finds the loop already ended (the loop's last drain or a late
 * poster), so that every posted operation learns its outcome.
 */
abstract class LoopTask {

    /** Does the work, on the loop thread. */
    abstract void run();

    /** The loop ended before the task could run: release what it holds and report {@code cause}. */
    abstract void abort(Throwable cause);
}
