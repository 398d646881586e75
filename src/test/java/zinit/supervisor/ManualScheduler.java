package zinit.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Queue;

/** A fake loop: tasks run on the calling thread; time moves only when the test advances it. */
final class ManualScheduler implements Scheduler {
  private record Timed(Instant at, long seq, Runnable task) {}

  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private Instant now = START;
  private long seq;
  private boolean running;
  private final Queue<Runnable> ready = new ArrayDeque<>();
  private final PriorityQueue<Timed> timers =
      new PriorityQueue<>(Comparator.comparing(Timed::at).thenComparingLong(Timed::seq));

  @Override
  public Instant now() {
    return now;
  }

  /** The same virtual time as {@link #now}, in nanoseconds since this scheduler's start. */
  @Override
  public long nanoTime() {
    return Duration.between(START, now).toNanos();
  }

  @Override
  public void execute(Runnable task) {
    ready.add(task);
    drain();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Timed t = new Timed(now.plus(delay), seq++, task);
    timers.add(t);
    return () -> timers.remove(t);
  }

  /** Moves the clock forward, running every timer that falls due, in order. */
  void advance(Duration d) {
    Instant end = now.plus(d);
    while (!timers.isEmpty() && !timers.peek().at().isAfter(end)) {
      Timed t = timers.poll();
      now = t.at();
      execute(t.task());
    }
    now = end;
  }

  private void drain() {
    if (running) return;
    running = true;
    try {
      Runnable r;
      while ((r = ready.poll()) != null) r.run();
    } finally {
      running = false;
    }
  }
}
