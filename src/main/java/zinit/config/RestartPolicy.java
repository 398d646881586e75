package zinit.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * When and how fast a service that ended is started again.
 *
 * @param mode {@code restart:} always (today's behaviour), on-failure, never
 * @param delay {@code restart_delay:} before the first restart; doubles per quick crash
 * @param delayMax {@code restart_delay_max:} the cap of that doubling
 * @param startLimit {@code start_limit:}, or null when starts are not limited
 */
public record RestartPolicy(Mode mode, Duration delay, Duration delayMax, StartLimit startLimit) {
  public static final RestartPolicy DEFAULT =
      new RestartPolicy(Mode.ALWAYS, Duration.ofSeconds(2), Duration.ofSeconds(60), null);

  public RestartPolicy {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(delayMax, "delayMax");
    if (delayMax.compareTo(delay) < 0) throw new IllegalArgumentException("delayMax < delay");
  }

  public enum Mode {
    ALWAYS,
    ON_FAILURE,
    NEVER;

    /** As written in service files: always, on-failure, never. */
    public String key() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** More than {@code burst} starts within {@code interval}: the service goes to Failure. */
  public record StartLimit(int burst, Duration interval) {
    public StartLimit {
      if (burst < 1) throw new IllegalArgumentException("burst must be at least 1");
      Objects.requireNonNull(interval, "interval");
    }
  }
}
