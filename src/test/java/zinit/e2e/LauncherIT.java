package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** bin/zinit as a newcomer meets it: a fresh copy builds itself; no JDK 25 gives a clear error. */
class LauncherIT {
  record Run(int exit, String stdout, String stderr) {}

  static Run run(Path launcher, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Path out = Files.createTempFile("launcher", ".out");
    Path err = Files.createTempFile("launcher", ".err");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("launcher did not finish");
      }
      return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void withoutJdk25AFreshCopySaysWhatToInstall() throws Exception {
    Path copy = freshCopy();
    try {
      Run r = run(copy.resolve("bin/zinit"), Map.of("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64",
          "ZINIT_JVM_DIRS", "/nonexistent"), "--help");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.stderr()).contains("no JDK 25 or newer found").contains("install one");
    } finally {
      deleteTree(copy);
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES) // the first use builds the whole distribution
  void freshCopyBuildsOnFirstUseOnlyOnce() throws Exception {
    Path copy = freshCopy();
    try {
      Path launcher = copy.resolve("bin/zinit");
      Run first = run(launcher, Map.of(), "--help");
      assertThat(first.exit()).as(first.stderr()).isZero();
      assertThat(first.stderr()).contains("building");
      assertThat(first.stdout() + first.stderr()).contains("init").contains("list");
      Run second = run(launcher, Map.of(), "--help");
      assertThat(second.exit()).isZero();
      assertThat(second.stderr()).doesNotContain("building");
    } finally {
      deleteTree(copy);
    }
  }

  /** What a checkout holds: sources, pom and launchers, nothing built. */
  private static Path freshCopy() throws IOException {
    Path copy = Files.createTempDirectory("zinit-launcher-");
    copyTree(Zinit.ROOT.resolve("src/main"), copy.resolve("src/main"));
    Files.copy(Zinit.ROOT.resolve("pom.xml"), copy.resolve("pom.xml"));
    copyTree(Zinit.ROOT.resolve("bin"), copy.resolve("bin"));
    return copy;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
