package zinit.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The real event loop: one platform thread with a timer queue; idle means blocked, not polling. */
public final class LoopScheduler implements Scheduler, AutoCloseable {
  private final ScheduledExecutorService executor;

  public LoopScheduler() {
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("zinit-loop").daemon(true).factory());
    pool.setRemoveOnCancelPolicy(true);
    this.executor = Executors.unconfigurableScheduledExecutorService(pool);
  }

  @Override
  public Instant now() {
    return Instant.now();
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(guarded(task));
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    var future = executor.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  // A task that throws must not kill the loop: zinit never dies from one bad event.
  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        System.err.println("zinit: internal error in supervisor loop: " + e);
        e.printStackTrace();
      }
    };
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
