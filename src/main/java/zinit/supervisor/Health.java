package zinit.supervisor;

/** The liveness of one service, as its checks found it. Loop-confined. */
final class Health {
  /** Consecutive failed checks that counted (outside the start period). */
  int failures;
  /** The last failure's reason, or null. */
  String lastFailure;
  /** Whether any check has passed since the service became Running. */
  boolean passed;
  /**
   * When the service became Running, on the loop's monotonic clock: failures before start_period
   * has passed do not count.
   */
  long runningSince;
  /** A check is in flight (one at a time per service). */
  boolean checking;
  Scheduler.Cancellable timer;
  Scheduler.Cancellable timeout;
  /** The exec check's process, while it runs. */
  Run run;
  /** True while the exec check's spawn is in flight off the loop. */
  boolean spawning;
  /** Bumped whenever checks stop, so a late result of an earlier round is dropped. */
  int round;
  /**
   * The last line the current exec check printed (written on the I/O thread, which may deliver it
   * after the exit is known: so status reads it when shown).
   */
  java.util.concurrent.atomic.AtomicReference<String> lastLine = new java.util.concurrent.atomic.AtomicReference<>();
  /** Completes when the current exec check's output has ended (both pipes at EOF). */
  java.util.concurrent.CompletableFuture<Void> outputEnded;
  /** The last line of the exec check that failed last, appended to its reason when shown. */
  java.util.concurrent.atomic.AtomicReference<String> failureLine;

  /** The previous run's failure that got it restarted, shown until a check passes. */
  String previous;

  /** What status shows. */
  String display(int retries) {
    if (lastFailure != null && failures > 0) {
      String line = failureLine == null ? null : failureLine.get();
      return "failing (" + failures + "/" + retries + "): " + lastFailure + (line == null ? "" : ": " + line);
    }
    if (passed) return "ok";
    return previous != null ? previous : "starting";
  }
}
