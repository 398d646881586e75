package zinit.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A liveness check ({@code health:}), on top of {@code test} (readiness).
 *
 * @param kind how to check
 * @param command argv for {@link Kind#EXEC}, empty otherwise
 * @param target the URL for {@link Kind#HTTP}, "host:port" for {@link Kind#TCP}, the command line
 *     as written for {@link Kind#EXEC}
 * @param interval between the end of one check and the start of the next
 * @param timeout a check slower than this failed
 * @param retries consecutive failures that make zinit restart the service
 * @param startPeriod after the service is Running, the time in which failures do not count
 */
public record HealthCheck(
    Kind kind,
    List<String> command,
    String target,
    Duration interval,
    Duration timeout,
    int retries,
    Duration startPeriod) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_RETRIES = 3;

  public HealthCheck {
    Objects.requireNonNull(kind, "kind");
    command = List.copyOf(command);
    Objects.requireNonNull(target, "target");
    if (retries < 1) throw new IllegalArgumentException("retries must be at least 1");
  }

  public enum Kind {
    EXEC,
    HTTP,
    TCP
  }
}
