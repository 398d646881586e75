package zinit.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Skips (with the reason) tests that need root, a writable cgroup v2 or PID namespaces. */
final class Privileges {
  private Privileges() {}

  static boolean root() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("Uid:"))
          .anyMatch(l -> l.split("\\s+")[1].equals("0"));
    } catch (IOException e) {
      return false;
    }
  }

  static boolean cgroup2Writable() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
      for (String line : lines) {
        String[] halves = line.split(" - ");
        if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) {
          return Files.isWritable(Path.of(halves[0].split(" ")[4]));
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  static void assumeRootWithCgroups() {
    assumeTrue(root(), "needs root (cgroups, pidfds of any process)");
    assumeTrue(cgroup2Writable(), "needs a writable cgroup v2 hierarchy");
  }

  static void assumePidNamespaces() {
    assumeRootWithCgroups();
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare (util-linux)");
  }
}
