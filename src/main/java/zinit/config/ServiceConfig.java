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
    if ((log == LogMode.FILE) != (logFile != null)) {
      throw new IllegalArgumentException("logFile of " + name + " must be set exactly when log is FILE");
    }
  }

  /** A service whose output does not go to a file of its own. */
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
    this(name, exec, test, oneshot, shutdownTimeout, after, stopSignal, log, env, dir, null);
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
