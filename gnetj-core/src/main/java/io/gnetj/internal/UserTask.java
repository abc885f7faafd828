package io.gnetj.internal;

/**
 * A user's {@link io.gnetj.EventLoop#execute(Runnable)} task: what it throws is logged by the loop
 * (like any task's failure); if the loop ends first, it is dropped and logged, unless the poster
 * itself finds the loop ended (it gets a {@link java.util.concurrent.RejectedExecutionException}).
 *
 * <p>Threading: made on the poster's thread; runs on the loop thread, or aborts on whichever
 * thread finds the loop ended.
 */
final class UserTask extends LoopTask {
    private final Runnable task;
    private final Thread poster = Thread.currentThread();
    private final String loopName;

    UserTask(Runnable task, String loopName) {
        this.task = task;
        this.loopName = loopName;
    }

    @Override
    void run() {
        task.run();
    }

    @Override
    void abort(Throwable cause) {
        if (Thread.currentThread() != poster) { // the poster itself gets a RejectedExecutionException
            System.getLogger("io.gnetj").log(System.Logger.Level.WARNING, "a task posted as the event loop " + loopName + " ended did not run: " + task);
        }
    }
}
