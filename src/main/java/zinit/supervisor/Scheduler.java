package zinit.supervisor;

import java.time.Duration;
import java.time.Instant;

/**
 * The supervisor's event loop and clock. Every task runs alone and in its turn (on the loop's
 * thread or, see executeHere, a caller's), so the supervisor's state needs no locks; tests drive a
 * fake one and advance time by hand.
 */
public interface Scheduler {
  /** The wall clock, for what is shown as a time of day (next_restart, a start time in /metrics). */
  Instant now();

  /**
   * A monotonic clock in nanoseconds (System.nanoTime on the real loop), for every length of time:
   * a grace period, a start limit's window, a run's length, a health start period. The wall clock
   * steps (NTP or a wrong RTC corrected at boot, `date -s`); set back an hour during a stop, it
   * made the SIGKILL wait that hour. Only differences between two readings mean anything.
   */
  default long nanoTime() {
    return System.nanoTime();
  }

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
