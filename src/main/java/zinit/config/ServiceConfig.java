package zinit.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One service file, parsed and validated.
 *
 * @param name the file name without ".yaml"
 * @param exec argv of the service (shell-words split, never run through a shell); not empty
 * @param test argv of the readiness test, empty when there is none
 * @param env the service's extra environment (already merged over nothing: the spawner adds the
 *     base environment)
 * @param dir working directory, "/" when the file left it empty
 * @param restart restart policy and start limit ({@link RestartPolicy#DEFAULT} when not given)
 * @param identity the user and groups the service runs as, or null for zinit's own
 * @param health the liveness check, or null when there is none
 * @param limits resource limits, or null when there are none
 * @param logFile the file settings when {@code log} is {@link LogMode#FILE}, else null
 */
public record ServiceConfig(
    String name,
    List<String> exec,
    List<String> test,
    boolean oneshot,
    Duration shutdownTimeout,
    List<String> after,
    Signal stopSignal,
    LogMode log,
    Map<String, String> env,
    Path dir,
    RestartPolicy restart,
    Identity identity,
    HealthCheck health,
    ResourceLimits limits,
    LogFile logFile) {

  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  public ServiceConfig {
    Objects.requireNonNull(name, "name");
    exec = List.copyOf(exec);
    if (exec.isEmpty()) throw new IllegalArgumentException("exec of " + name + " is empty");
    test = List.copyOf(test);
    after = List.copyOf(after);
    env = Map.copyOf(env);
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    Objects.requireNonNull(stopSignal, "stopSignal");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(restart, "restart");
    if ((log == LogMode.FILE) != (logFile != null)) {
      throw new IllegalArgumentException("logFile of " + name + " must be set exactly when log is FILE");
    }
  }

  /** The original's fields only; every key of the service model v2 at its default, no log file. */
  public ServiceConfig(
      String name,
      List<String> exec,
      List<String> test,
      boolean oneshot,
      Duration shutdownTimeout,
      List<String> after,
      Signal stopSignal,
      LogMode log,
      Map<String, String> env,
      Path dir) {
    this(name, exec, test, oneshot, shutdownTimeout, after, stopSignal, log, env, dir, RestartPolicy.DEFAULT, null, null, null, null);
  }

  /** The original's fields and a log file; every key of the service model v2 at its default. */
  public ServiceConfig(
      String name,
      List<String> exec,
      List<String> test,
      boolean oneshot,
      Duration shutdownTimeout,
      List<String> after,
      Signal stopSignal,
      LogMode log,
      Map<String, String> env,
      Path dir,
      LogFile logFile) {
    this(name, exec, test, oneshot, shutdownTimeout, after, stopSignal, log, env, dir, RestartPolicy.DEFAULT, null, null, null, logFile);
  }

  /** Every field but the log file (none). */
  public ServiceConfig(
      String name,
      List<String> exec,
      List<String> test,
      boolean oneshot,
      Duration shutdownTimeout,
      List<String> after,
      Signal stopSignal,
      LogMode log,
      Map<String, String> env,
      Path dir,
      RestartPolicy restart,
      Identity identity,
      HealthCheck health,
      ResourceLimits limits) {
    this(name, exec, test, oneshot, shutdownTimeout, after, stopSignal, log, env, dir, restart, identity, health, limits, null);
  }

  /** This config with another restart policy. */
  public ServiceConfig withRestart(RestartPolicy policy) {
    return new ServiceConfig(name, exec, test, oneshot, shutdownTimeout, after, stopSignal, log, env, dir, policy, identity, health, limits, logFile);
  }

  /** This config run as another user (null: zinit's own). */
  public ServiceConfig withIdentity(Identity who) {
    return new ServiceConfig(name, exec, test, oneshot, shutdownTimeout, after, stopSignal, log, env, dir, restart, who, health, limits, logFile);
  }

  /** This config with another liveness check (null: none). */
  public ServiceConfig withHealth(HealthCheck check) {
    return new ServiceConfig(name, exec, test, oneshot, shutdownTimeout, after, stopSignal, log, env, dir, restart, identity, check, limits, logFile);
  }

  /** This config with other resource limits (null: none). */
  public ServiceConfig withLimits(ResourceLimits l) {
    return new ServiceConfig(name, exec, test, oneshot, shutdownTimeout, after, stopSignal, log, env, dir, restart, identity, health, l, logFile);
  }

  /** A service with defaults for everything but its command, for tests and `service_create`. */
  public static ServiceConfig of(String name, List<String> exec) {
    return new ServiceConfig(
        name,
        exec,
        List.of(),
        false,
        DEFAULT_SHUTDOWN_TIMEOUT,
        List.of(),
        Signal.SIGTERM,
        LogMode.RING,
        Map.of(),
        Path.of("/"));
  }
}
