package zinit.supervisor;

import java.time.Duration;
import java.time.Instant;

/**
 * The supervisor's event loop and clock. Every task runs alone and in its turn (on the loop's
 * thread or, see executeHere, a caller's), so the supervisor's state needs no locks; tests drive a
 * fake one and advance time by hand.
 */
public interface Scheduler {
  Instant now();

  /** Runs {@code task} on the loop as soon as possible. */
  void execute(Runnable task);

  /**
   * Runs {@code task} as {@link #execute} does, or on the calling thread when the loop is idle (it
   * still runs alone, in its turn). Only for callers that hold no lock a task could need.
   */
  default void executeHere(Runnable task) {
    execute(task);
  }

  /** Runs {@code task} on the loop after {@code delay}; the returned handle cancels it. */
  Cancellable schedule(Duration delay, Runnable task);

  interface Cancellable {
    void cancel();
  }
}
