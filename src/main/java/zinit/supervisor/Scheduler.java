package zinit.supervisor;

import java.time.Duration;
import java.time.Instant;

/**
 * The supervisor's event loop and clock. Every task runs on one thread, one at a time, so the
 * supervisor's state needs no locks; tests drive a fake one and advance time by hand.
 */
public interface Scheduler {
  Instant now();

  /** Runs {@code task} on the loop as soon as possible. */
  void execute(Runnable task);

  /** Runs {@code task} on the loop after {@code delay}; the returned handle cancels it. */
  Cancellable schedule(Duration delay, Runnable task);

  interface Cancellable {
    void cancel();
  }
}
