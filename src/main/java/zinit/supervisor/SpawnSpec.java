package zinit.supervisor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to start.
 *
 * @param unit the tracking key, e.g. "redis" or "redis/test"; each spawn gets its own cgroup named
 *     after it (made unique by the host)
 * @param argv program and arguments; argv[0] is looked up in PATH of {@code env} when it has no '/'
 * @param env the complete environment of the new process
 * @param dir working directory
 * @param credentials the uid, gid and groups to run as, or null for zinit's own
 * @param limits resource limits applied before the program runs, or null
 */
public record SpawnSpec(
    String unit,
    List<String> argv,
    Map<String, String> env,
    Path dir,
    OutputSink stdout,
    OutputSink stderr,
    Credentials credentials,
    zinit.config.ResourceLimits limits) {
  public SpawnSpec {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    if (argv.isEmpty()) throw new IllegalArgumentException("argv is empty for " + unit);
  }

  /** Run as zinit's own user. */
  public SpawnSpec(
      String unit, List<String> argv, Map<String, String> env, Path dir, OutputSink stdout, OutputSink stderr) {
    this(unit, argv, env, dir, stdout, stderr, null, null);
  }

  /** Run as {@code credentials}, without limits. */
  public SpawnSpec(
      String unit,
      List<String> argv,
      Map<String, String> env,
      Path dir,
      OutputSink stdout,
      OutputSink stderr,
      Credentials credentials) {
    this(unit, argv, env, dir, stdout, stderr, credentials, null);
  }

  /** Who a process runs as: set (setgroups, setgid, setuid) before the service's program runs. */
  public record Credentials(int uid, int gid, List<Integer> groups) {
    public Credentials {
      groups = List.copyOf(groups);
    }
  }
}
