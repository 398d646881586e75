package zinit.os;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import zinit.supervisor.OutputSink;
import zinit.supervisor.SpawnSpec;

/** Shared helpers for tests against the real kernel. */
final class OsTesting {
  private OsTesting() {}

  static final Map<String, String> ENV = Map.of("PATH", PathLookup.DEFAULT_PATH);

  static boolean root() {
    return ProcFs.read(Path.of("/proc/self/status")).orElse("").lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
  }

  static void assumeRootWithCgroups() {
    assumeTrue(root(), "needs root to create cgroups");
    assumeTrue(NativeProcessHost.cgroupsAvailable(), "needs a writable cgroup v2 hierarchy and /bin/sh");
  }

  /** A host plus the messages it logged. */
  record TestHost(NativeProcessHost host, List<String> log) implements AutoCloseable {
    @Override
    public void close() {
      host.close();
    }
  }

  private static final java.util.concurrent.atomic.AtomicInteger HOSTS = new java.util.concurrent.atomic.AtomicInteger();

  static TestHost host(boolean cgroups) {
    if (cgroups) assumeRootWithCgroups();
    List<String> log = new CopyOnWriteArrayList<>();
    // A name of its own per host: tests run in parallel, and a base cgroup name one host freed
    // must not be taken by another before the first asserts it is gone.
    String instance = "test-" + HOSTS.incrementAndGet();
    return new TestHost(NativeProcessHost.create(new NativeProcessHost.Options(cgroups, instance, log::add)), log);
  }

  static SpawnSpec sh(String unit, String script, Path dir) {
    return new SpawnSpec(unit, List.of("sh", "-c", script), ENV, dir, new OutputSink.Discard(), new OutputSink.Inherit());
  }

  static SpawnSpec sh(String unit, String script, Path dir, OutputSink out, OutputSink err) {
    return new SpawnSpec(unit, List.of("sh", "-c", script), ENV, dir, out, err);
  }

  /** Polls a condition (tests only) with a generous deadline. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** Alive means: exists and is not a zombie (with the same start time, if known). */
  static boolean alive(ProcFs.Key key) {
    return ProcFs.stat(key.pid()).map(s -> !s.zombie() && s.starttime() == key.starttime()).orElse(false);
  }

  /** Exists at all (zombie included) with the same identity. */
  static boolean exists(ProcFs.Key key) {
    return ProcFs.stat(key.pid()).map(s -> s.starttime() == key.starttime()).orElse(false);
  }

  static ProcFs.Key key(int pid) {
    return ProcFs.stat(pid).orElseThrow().key();
  }

  static String readWhenPresent(Path file) {
    await(file + " written", () -> {
      try {
        return Files.exists(file) && Files.readString(file).endsWith("\n");
      } catch (IOException e) {
        return false;
      }
    });
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
