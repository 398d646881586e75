package zinit.supervisor;

import java.time.Duration;

/**
 * Restart delay of a crashing service: 2 s, doubling per consecutive crash up to 60 s; a run that
 * lasted at least 60 s counts as healthy and resets it.
 */
record Backoff(Duration initial, Duration cap, Duration healthyAfter) {
  static final Backoff DEFAULT =
      new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(60));
  static final Duration FLOOR = Duration.ZERO;

  /** The delay before restart number {@code consecutiveCrashes} (1 = first crash). */
  Duration delay(int consecutiveCrashes) {
    Duration d = initial;
    for (int i = 1; i < consecutiveCrashes && d.compareTo(cap) < 0; i++) d = d.multipliedBy(2);
    return d.compareTo(cap) > 0 ? cap : d;
  }

  boolean healthy(Duration ranFor) {
    return ranFor.compareTo(healthyAfter) >= 0;
  }
}
