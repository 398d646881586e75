package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * zinit as PID 1 of a PID namespace inherits the orphans of processes that were entered into the
 * namespace from outside (`docker exec`, `nsenter`), which it never spawned.
 */
class Pid1OrphansIT {
  @Test
  void orphansOfAProcessEnteredFromOutsideAreReapedWhileZinitHasNoChildOfItsOwn() throws Exception {
    // zinit's reaper slept until zinit's next spawn whenever it had no child: with no service
    // running, every such orphan stayed a zombie (5 here) until something was started.
    Privileges.assumePidNamespaces();
    try (Zinit z = new Zinit().wrappedIn("unshare", "-p", "-f", "--mount-proc")) {
      z.start(); // no service: zinit has no child
      long zinit = PidReuseIT.onlyChild(z.daemon.pid());
      Process exec = new ProcessBuilder("nsenter", "-t", Long.toString(zinit), "-p", "--", "sh", "-c",
              "for i in 1 2 3 4 5; do sleep 1 & done")
          .redirectErrorStream(true).start();
      assertThat(exec.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(children(zinit)).as("the sleeps were handed to zinit").isGreaterThanOrEqualTo(5);
      Zinit.waitFor("the orphans reaped", Duration.ofSeconds(30), () -> children(zinit) == 0);
      assertThat(ShutdownIT.zombiesOf(zinit)).isZero();
    }
  }

  /**
   * As above, but with every process slot of zinit's cgroup taken (a container's pids limit) by a
   * process that is not zinit's, so that zinit can make no thread.
   */
  @Test
  @Timeout(180)
  void orphansAreReapedWhileZinitCanMakeNoThread() throws Exception {
    // The reaper of a childless PID 1 caught SIGCHLD through a JDK handler, which runs each signal
    // on a thread made when it comes: none could be made ("Exception java.lang.OutOfMemoryError
    // occurred dispatching signal SIGCHLD") and the orphans stayed zombies until zinit's next spawn.
    Privileges.assumePidNamespaces();
    assumeTrue(Files.isExecutable(PYTHON), "needs python3");
    Optional<Path> parent = pidsCgroupParent();
    assumeTrue(parent.isPresent(), "needs a writable pids cgroup hierarchy (v1, or v2 with pids enabled at its root)");
    Path cgroup = parent.get().resolve("zinit-pid1-orphans-it-" + ProcessHandle.current().pid());
    try {
      try (Zinit z = new Zinit().wrappedIn("unshare", "-p", "-f", "--mount-proc")) {
        z.start(); // no service: zinit has no child
        long zinit = PidReuseIT.onlyChild(z.daemon.pid());
        Files.createDirectory(cgroup);
        Process filler = null;
        try {
          Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(zinit));
          // A few slots more than zinit's threads, for the filler, which takes them and every one
          // that frees later (a JVM thread that ends), until it is killed.
          Files.writeString(cgroup.resolve("pids.max"), Long.toString(pidsCurrent(cgroup) + 8));
          Path fill = z.file("fill.py");
          Files.writeString(fill, FILLER);
          filler = new ProcessBuilder("sh", "-c", "echo $$ > \"$1\" && exec \"$2\" \"$3\" \"$4\"", "sh",
                  cgroup.resolve("cgroup.procs").toString(), PYTHON.toString(), fill.toString(), z.file("full").toString())
              .redirectErrorStream(true).redirectOutput(z.file("filler.out").toFile()).start();
          Zinit.waitFor("every slot of zinit's cgroup taken", Duration.ofSeconds(30), () -> Files.exists(z.file("full")));

          Process exec = new ProcessBuilder("nsenter", "-t", Long.toString(zinit), "-p", "--", "sh", "-c",
                  "for i in 1 2 3; do sleep 1 & done")
              .redirectErrorStream(true).start();
          assertThat(exec.waitFor(30, TimeUnit.SECONDS)).isTrue();
          assertThat(children(zinit)).as("the sleeps were handed to zinit").isGreaterThanOrEqualTo(3);
          try {
            Zinit.waitFor("the orphans reaped while zinit can make no thread", Duration.ofSeconds(20), () -> children(zinit) == 0);
          } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; zinit's output:\n" + z.output(), e);
          }
          assertThat(filler.isAlive()).as("the filler still holds the slots").isTrue();
          assertThat(z.output()).doesNotContain("dispatching signal");

          // Taken by zinit's own threads: blocked (every thread but the reaper, which waits for it),
          // neither caught by a JDK handler nor ignored (the kernel would then reap for zinit).
          long sigchld = 1L << 16;
          assertThat(HardeningIT.statusBits(zinit, "SigCgt") & sigchld).as("SIGCHLD caught").isZero();
          assertThat(HardeningIT.statusBits(zinit, "SigIgn") & sigchld).as("SIGCHLD ignored").isZero();
          for (Path task : tasks(zinit)) {
            String comm = Files.readString(task.resolve("comm")).strip();
            if (comm.equals("zinit-reaper")) continue;
            long blocked = HardeningIT.statusBits(task.resolve("status"), "SigBlk");
            assertThat(blocked & sigchld).as("SIGCHLD blocked in thread %s (%s)", task.getFileName(), comm).isNotZero();
          }
        } finally {
          Files.writeString(cgroup.resolve("pids.max"), "max");
          if (filler != null) {
            filler.destroyForcibly();
            filler.waitFor();
          }
          // the filler's children end when it has (their pipe closes)
          Zinit.waitFor("the filler's children gone", Duration.ofSeconds(30),
              () -> procs(cgroup).stream().allMatch(p -> p == zinit));
        }
      } // zinit shut down
    } finally {
      if (Files.exists(cgroup)) {
        Zinit.waitFor("zinit's test cgroup removed", Duration.ofSeconds(30), () -> cgroup.toFile().delete());
      }
    }
  }

  private static final Path PYTHON = Path.of("/usr/bin/python3");

  /**
   * Forks until its cgroup's pids.max says no, and again whenever a slot frees; argv[1] is made
   * when first full. Each child waits on a pipe that the filler holds open, so none outlives it.
   */
  private static final String FILLER = """
      import os, sys, time
      r, w = os.pipe()
      full = False
      while True:
          try:
              pid = os.fork()
          except OSError:
              if not full:
                  open(sys.argv[1], "w").close()
                  full = True
              time.sleep(0.01)
              continue
          if pid == 0:
              os.close(w)
              os.read(r, 1)
              os._exit(0)
      """;

  /**
   * Where this test may make a pids cgroup: under its own cgroup of a v1 pids hierarchy, else at
   * the root of cgroup v2 when that delegates pids to its children.
   */
  private static Optional<Path> pidsCgroupParent() throws IOException {
    List<String> own = Files.readAllLines(Path.of("/proc/self/cgroup"));
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] halves = line.split(" - ");
      if (halves.length != 2) continue;
      String[] fs = halves[1].split(" ");
      String mount = halves[0].split(" ")[4];
      if (fs[0].equals("cgroup") && List.of(fs[2].split(",")).contains("pids")) {
        for (String l : own) {
          String[] f = l.split(":", 3);
          if (List.of(f[1].split(",")).contains("pids")) {
            Path dir = Path.of(mount + f[2]);
            return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
          }
        }
      } else if (fs[0].equals("cgroup2")) {
        Path control = Path.of(mount, "cgroup.subtree_control");
        if (Files.exists(control) && List.of(Files.readString(control).strip().split(" ")).contains("pids")) {
          return Optional.of(Path.of(mount));
        }
      }
    }
    return Optional.empty();
  }

  private static long pidsCurrent(Path cgroup) throws IOException {
    return Long.parseLong(Files.readString(cgroup.resolve("pids.current")).strip());
  }

  private static List<Long> procs(Path cgroup) {
    try {
      return Files.readAllLines(cgroup.resolve("cgroup.procs")).stream().map(Long::parseLong).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<Path> tasks(long pid) throws IOException {
    try (Stream<Path> t = Files.list(Path.of("/proc/" + pid + "/task"))) {
      return t.toList();
    }
  }

  /** Children of {@code pid} (of any of its threads), zombies included. */
  private static int children(long pid) {
    int n = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"));
        } catch (IOException | RuntimeException e) {
          continue; // not a process, or gone
        }
        if (Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]) == pid) n++;
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return n;
  }
}
