package zinit.os;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import zinit.supervisor.SpawnException;

/** execvp's search, done before spawning so a missing program is a clear error, not exit 127. */
final class PathLookup {
  private PathLookup() {}

  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** The absolute path of {@code program}, searched in PATH of {@code env} when it has no '/'. */
  static Path resolve(String program, Map<String, String> env, Path dir) throws SpawnException {
    if (program.isEmpty()) throw new SpawnException("exec '': empty program name");
    if (program.contains("/")) {
      Path p = dir.resolve(program).toAbsolutePath().normalize();
      if (!Files.exists(p)) throw new SpawnException("exec '" + program + "': " + p + " does not exist");
      return executable(program, p);
    }
    String path = env.getOrDefault("PATH", DEFAULT_PATH);
    for (String entry : path.split(":", -1)) {
      Path candidate = (entry.isEmpty() ? dir : dir.resolve(entry)).resolve(program).toAbsolutePath().normalize();
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
    }
    throw new SpawnException("exec '" + program + "': not found in PATH=" + path);
  }

  private static Path executable(String program, Path p) throws SpawnException {
    if (!Files.isRegularFile(p)) throw new SpawnException("exec '" + program + "': " + p + " is not a file");
    if (!Files.isExecutable(p)) throw new SpawnException("exec '" + program + "': " + p + " is not executable");
    return p;
  }
}
