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
 */
public record SpawnSpec(
    String unit,
    List<String> argv,
    Map<String, String> env,
    Path dir,
    OutputSink stdout,
    OutputSink stderr) {
  public SpawnSpec {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    if (argv.isEmpty()) throw new IllegalArgumentException("argv is empty for " + unit);
  }
}
