package zinit.supervisor;

import java.time.Duration;

/**
 * Restart delay of a crashing service: 2 s, doubling per consecutive crash up to 60 s; a run that
 * lasted at least 60 s counts as healthy and resets it.
 */
record Backoff(Duration initial, Duration cap, Duration healthyAfter) {
  static final Backoff DEFAULT =
      new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(60));
  /**
   * The shortest delay of a repeated crash: a restart_delay (or restart_delay_max) below it still
   * restarts the first crash at once, then doubles from here, so a crash loop is never hot.
   */
  static final Duration FLOOR = Duration.ofMillis(100);

  /** The delay before restart number {@code consecutiveCrashes} (1 = first crash). */
  Duration delay(int consecutiveCrashes) {
    if (consecutiveCrashes <= 1) return initial;
    Duration top = cap.compareTo(FLOOR) < 0 ? FLOOR : cap;
    Duration d = initial.compareTo(FLOOR) < 0 ? FLOOR : initial.multipliedBy(2);
    for (int i = 2; i < consecutiveCrashes && d.compareTo(top) < 0; i++) d = d.multipliedBy(2);
    return d.compareTo(top) > 0 ? top : d;
  }

  boolean healthy(Duration ranFor) {
    return ranFor.compareTo(healthyAfter) >= 0;
  }
}
