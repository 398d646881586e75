package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A container's memory limit covers zinit and its services together. When a service's workers
 * fill it, the kernel's OOM killer takes the process with the largest footprint, and each worker
 * of a pre-forked server can be smaller than a JVM: before, that was zinit, and the container lost
 * its init (services orphaned, unsupervised). zinit must be the last choice, its services must
 * keep the score they would have had.
 */
class MemoryPressureIT {
  private static final long LIMIT = 350L << 20;

  @Test
  @Timeout(180)
  void whenServicesFillTheMemoryLimitZinitSharesTheOomKillerTakesAServiceNotZinit() throws Exception {
    Privileges.assumeRootWithCgroups();
    Path memory = memoryHierarchy();
    assumeTrue(memory != null, "needs a cgroup v1 memory hierarchy (cgroup v2's memory controller is not set up here)");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3");
    Path cg = Files.createDirectory(memory.resolve("zinit-oom-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
    Zinit z = new Zinit();
    long[] zinitPid = {0};
    String ours = Files.readString(Path.of("/proc/self/oom_score_adj")).strip();
    try {
      Files.writeString(cg.resolve("memory.limit_in_bytes"), Long.toString(LIMIT));
      Path memsw = cg.resolve("memory.memsw.limit_in_bytes");
      if (Files.exists(memsw)) Files.writeString(memsw, Long.toString(LIMIT)); // no escape to swap
      z.wrappedIn("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cg.toString());
      // ten workers of ~60 MB each (python's own and 45 MB of data), one every 0.7 s: 600 MB in 350
      z.service("workers", "exec: sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do python3 -c \"import time; "
              + "b = bytearray(b\\\"x\\\") * (45 << 20); time.sleep(1000)\" & sleep 0.7; done; touch "
              + z.file("forked") + "; wait'\n")
          .service("bystander", "exec: sleep 1000\n")
          .start();
      zinitPid[0] = z.daemon.pid();
      Zinit.waitFor("the workers to be forked", Duration.ofSeconds(60), () -> Files.exists(z.file("forked")) || !z.daemon.isAlive());
      Thread.sleep(1000); // the last one's data
      assertThat(oomKills(cg)).as("the limit was hit").isPositive();
      assertThat(z.daemon.isAlive()).as("zinit survived the OOM killer; its output:\n" + z.output()).isTrue();
      assertThat(z.call("service_list").size()).isEqualTo(2);
      // the last to go, not never: a zinit that leaks is still ended before the kernel panics
      assertThat(Files.readString(Path.of("/proc/" + zinitPid[0] + "/oom_score_adj")).strip())
          .as("zinit's OOM score adjustment").isEqualTo("-999");
      // the services kept the adjustment zinit was started with (this test's), not zinit's own
      long bystander = z.call("service_status", "bystander").get("pid").asLong();
      assertThat(Files.readString(Path.of("/proc/" + bystander + "/oom_score_adj")).strip()).isEqualTo(ours);
    } finally {
      try {
        z.close();
      } finally {
        // if zinit died, its services live on in the memory cgroup: ours, so they are ended here
        for (int round = 0; round < 50 && !procs(cg).isEmpty(); round++) {
          for (long pid : procs(cg)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
          Thread.sleep(100);
        }
        Files.deleteIfExists(cg);
        removeLeftCgroups(zinitPid[0]);
      }
    }
  }

  /** A zinit that was killed leaves its (now empty) cgroup v2 directories: removed, deepest first. */
  private static void removeLeftCgroups(long zinitPid) throws IOException {
    if (zinitPid == 0) return;
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] halves = line.split(" - ");
      if (halves.length != 2 || !halves[1].startsWith("cgroup2 ")) continue;
      Path root = Path.of(halves[0].split(" ")[4]);
      try (Stream<Path> bases = Files.list(root)) {
        for (Path base : bases.filter(p -> p.getFileName().toString().matches("zinit-[0-9a-f]+-" + zinitPid)).toList()) {
          try (Stream<Path> dirs = Files.walk(base)) {
            dirs.filter(Files::isDirectory).sorted(java.util.Comparator.reverseOrder()).forEach(d -> d.toFile().delete());
          }
        }
      }
    }
  }

  private static long oomKills(Path cg) throws IOException {
    for (String line : Files.readAllLines(cg.resolve("memory.oom_control"))) {
      if (line.startsWith("oom_kill ")) return Long.parseLong(line.substring(8).strip());
    }
    return 0;
  }

  private static List<Long> procs(Path cg) throws IOException {
    if (!Files.exists(cg)) return List.of();
    try (Stream<String> lines = Files.lines(cg.resolve("cgroup.procs"))) {
      return lines.map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
    }
  }

  /** The mount point of the cgroup v1 hierarchy with the memory controller, or null. */
  private static Path memoryHierarchy() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] halves = line.split(" - ");
      if (halves.length != 2) continue;
      String[] fs = halves[1].split(" ");
      if (fs[0].equals("cgroup") && List.of(fs[fs.length - 1].split(",")).contains("memory")) {
        return Path.of(halves[0].split(" ")[4]);
      }
    }
    return null;
  }
}
