package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 4, shutdown and PID 1 duties, through bin/zinit. */
class ShutdownIT {
  @BeforeEach // not @BeforeAll: each test is then reported skipped, by name and with the reason
  void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  /** A service that logs "NAME-term" when told to stop and "NAME-done" {@code delay} s later. */
  private static String orderly(Zinit z, String name, String delay, String... after) {
    String order = z.file("order").toString();
    StringBuilder y = new StringBuilder("exec: sh -c 'trap \"echo " + name + "-term >> " + order
        + "; sleep " + delay + "; echo " + name + "-done >> " + order + "; exit 0\" TERM; echo $$ >> "
        + z.file("pids") + "; while true; do sleep 0.1; done'\n");
    if (after.length > 0) {
      y.append("after:\n");
      for (String a : after) y.append("  - ").append(a).append('\n');
    }
    return y.toString();
  }

  @Test
  void chainShutsDownInReverseOrderWithIndependentBranchInParallel() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("a", orderly(z, "a", "0.3"))
          .service("b", orderly(z, "b", "0.3", "a"))
          .service("c", orderly(z, "c", "0.3", "b"))
          .service("x", orderly(z, "x", "1"))
          .start();
      for (String s : List.of("a", "b", "c", "x")) z.awaitState(s, "Running");
      Zinit.waitFor("pids", Duration.ofSeconds(10), () -> StopIT.count(z, "pids") == 4);
      List<Long> pids = z.pidsIn("pids");
      var r = z.cli("shutdown");
      assertThat(r.exit()).as(r.stderr()).isZero();
      assertThat(z.daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(z.daemon.exitValue()).as(z.output()).isZero();
      List<String> order = Files.readAllLines(z.file("order"));
      assertThat(order).hasSize(8);
      // Reverse dependency order: each is told to stop only once its dependent is done.
      assertThat(order.indexOf("c-done")).isLessThan(order.indexOf("b-term"));
      assertThat(order.indexOf("b-done")).isLessThan(order.indexOf("a-term"));
      // The independent x is stopped at once, beside the chain, not before or after it.
      assertThat(order.indexOf("x-term")).isLessThan(order.indexOf("c-done"));
      assertThat(order.indexOf("c-term")).isLessThan(order.indexOf("x-done"));
      assertThat(pids).noneMatch(Zinit::alive);
    }
  }

  @Test
  void containerModeExitsZeroOnSigtermWithNothingLeft() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("worker", "exec: sh -c 'setsid sleep 1000 & echo $! >> " + z.file("pids")
          + "; echo $$ >> " + z.file("pids") + "; wait'\n").start();
      Zinit.waitFor("pids", Duration.ofSeconds(10), () -> StopIT.count(z, "pids") == 2);
      List<Long> pids = z.pidsIn("pids");
      z.daemon.toHandle().destroy(); // SIGTERM to the JVM, which is zinit (the launcher exec'd)
      assertThat(z.daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(z.daemon.exitValue()).as(z.output()).isZero();
      assertThat(pids).noneMatch(Zinit::alive);
      assertThat(leftoverCgroups(z.daemon.pid())).isEmpty();
    }
  }

  @Test
  void newStartsAreRefusedOnceShutdownBegins() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("slow", "exec: sh -c 'trap \"sleep 1; exit 0\" TERM; while true; do sleep 0.1; done'\n")
          .service("idle", "exec: sleep 1000\noneshot: false\n")
          .start();
      z.awaitState("slow", "Running");
      Thread shutdown = Thread.ofVirtual().start(() -> {
        try {
          z.rpc("system_shutdown");
        } catch (IOException ignored) {
          // the daemon closes the socket as it exits
        }
      });
      Zinit.waitFor("shutdown to begin", Duration.ofSeconds(10), () -> {
        try {
          return z.rpc("service_start", "idle").path("error").path("code").asInt() == -32006;
        } catch (IOException e) {
          return false;
        }
      });
      shutdown.join(Duration.ofSeconds(30));
    }
  }

  @Test
  void hundredsOfOrphansLeaveNoZombie() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("spawner", "exec: sh -c 'for i in $(seq 300); do (sleep 0.05 &); done; echo done > "
          + z.file("done") + "; exec sleep 1000'\n").start();
      Zinit.waitFor("orphans spawned", Duration.ofSeconds(30), () -> Files.exists(z.file("done")));
      long zinit = z.daemon.pid();
      Zinit.waitFor("every orphan reaped", Duration.ofSeconds(30), () -> zombiesOf(zinit) == 0);
      assertThat(z.state("spawner")).isEqualTo("Running");
    }
  }

  @Test
  void pid1ShutdownEndsTheNamespaceWithNothingLeft() throws Exception {
    Privileges.assumePidNamespaces();
    try (Zinit z = new Zinit().systemMode().wrappedIn("unshare", "-p", "-f", "--mount-proc")) {
      z.service("svc", "exec: sh -c 'setsid sleep 1000 & echo $! > " + z.file("ns-pids")
          + "; exec sleep 1000'\n").start();
      z.awaitState("svc", "Running");
      assertThat(z.output()).doesNotContain("power");
      // a PID namespace with a /proc of its own: its mounts are whoever made it's (/run is no
      // mount point on some hosts, and a tmpfs there would hide theirs)
      assertThat(z.output()).doesNotContain("mounted ");
      z.cli("shutdown");
      assertThat(z.daemon.waitFor(60, TimeUnit.SECONDS)).as(z.output()).isTrue();
      assertThat(z.output()).contains("powering off");
      // The namespace is gone, so nothing of it can be left: check no sleep of ours survives.
      assertThat(processesMentioning(z.dir.toString())).isEmpty();
    }
  }

  @Test
  void pid1RebootCommandStopsServicesThenRestartsTheNamespace() throws Exception {
    Privileges.assumePidNamespaces();
    try (Zinit z = new Zinit().systemMode().wrappedIn("unshare", "-p", "-f", "--mount-proc")) {
      z.service("svc", "exec: sh -c 'trap \"echo bye > " + z.file("bye")
          + "; exit 0\" TERM; while true; do sleep 0.1; done'\n").start();
      z.awaitState("svc", "Running");
      z.cli("reboot");
      assertThat(z.daemon.waitFor(60, TimeUnit.SECONDS)).as(z.output()).isTrue();
      assertThat(z.output()).contains("reboot requested").contains("rebooting");
      assertThat(Files.exists(z.file("bye"))).isTrue();
    }
  }

  @Test
  void ctrlAltDelSigintToPid1RebootsGracefully() throws Exception {
    String output = signalPid1WithAServiceThatFlushes("INT");
    assertThat(output).contains("SIGINT received: rebooting").contains("zinit: rebooting");
  }

  @Test
  void sigpwrToPid1PowersOffGracefully() throws Exception {
    // What LXC and Incus send a system container's init to stop it, and a UPS daemon to init: with
    // no handler, PID 1 never sees it and the container is killed at the runtime's timeout.
    String output = signalPid1WithAServiceThatFlushes("PWR");
    assertThat(output).contains("SIGPWR received: powering off").contains("zinit: powering off");
    // Ctrl-Alt-Del is the host's in a PID namespace: the kernel refuses to hand it over, quietly
    assertThat(output).doesNotContain("Ctrl-Alt-Del");
  }

  /**
   * zinit as PID 1 of a new PID namespace, outside container mode, with a service that writes a
   * file on SIGTERM: sends it {@code signal}, waits for it to end, checks the service was stopped
   * gracefully and returns zinit's output.
   */
  private static String signalPid1WithAServiceThatFlushes(String signal) throws Exception {
    Privileges.assumePidNamespaces();
    try (Zinit z = new Zinit().systemMode().wrappedIn("unshare", "-p", "-f", "--mount-proc")) {
      z.service("flusher", "exec: sh -c 'trap \"echo flushed > " + z.file("flushed")
          + "; exit 0\" TERM; while true; do sleep 0.1; done'\n").start();
      z.awaitState("flusher", "Running");
      long zinit = PidReuseIT.onlyChild(z.daemon.pid());
      new ProcessBuilder("kill", "-" + signal, Long.toString(zinit)).start().waitFor();
      assertThat(z.daemon.waitFor(60, TimeUnit.SECONDS)).as(z.output()).isTrue();
      assertThat(Files.exists(z.file("flushed"))).as("stopped gracefully first").isTrue();
      return z.output();
    }
  }

  @Test
  void sigpwrStopsAPlainZinitLikeSigterm() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("flusher", "exec: sh -c 'trap \"echo flushed > " + z.file("flushed")
          + "; exit 0\" TERM; while true; do sleep 0.1; done'\n").start();
      z.awaitState("flusher", "Running");
      new ProcessBuilder("kill", "-PWR", Long.toString(z.daemon.pid())).start().waitFor();
      assertThat(z.daemon.waitFor(60, TimeUnit.SECONDS)).as(z.output()).isTrue();
      assertThat(z.daemon.exitValue()).isZero();
      assertThat(z.output()).contains("SIGPWR received: shutting down");
      assertThat(Files.exists(z.file("flushed"))).as("stopped gracefully first").isTrue();
    }
  }

  @Test
  void asTheInitOfAVmWithoutAnInitramfsItMountsProcSysAndCgroup2FirstAndTracksByCgroup() throws Exception {
    // A VM booted without an initramfs starts init with no /proc, /sys or cgroup2: the runtime
    // could not even find its libraries, and zinit could track services by process group only,
    // which a setsid child escapes. Here a mount namespace of the test's own plays that VM.
    Privileges.assumePidNamespaces();
    try (Zinit z = new Zinit().systemMode().wrappedIn("unshare", "-m", "-p", "-f", "sh", "-c",
        "umount -l /sys && umount -l /proc && exec \"$@\"", "sh")) {
      z.service("svc", "exec: sh -c 'setsid sleep 1000 & exec sleep 1000'\n").start();
      z.awaitState("svc", "Running");
      assertThat(z.output())
          .contains("mounted proc on /proc (it was missing)")
          .contains("mounted sysfs on /sys (it was missing)")
          .contains("mounted cgroup2 on /sys/fs/cgroup (it was missing)")
          .contains("(cgroup tracking)");
      long zinit = PidReuseIT.onlyChild(z.daemon.pid());
      Zinit.waitFor("both sleeps", Duration.ofSeconds(30), () -> descendants(zinit).size() == 2);
      z.cli("stop", "svc");
      assertThat(descendants(zinit)).as("the setsid child too").isEmpty();
      z.cli("shutdown");
      assertThat(z.daemon.waitFor(60, TimeUnit.SECONDS)).as(z.output()).isTrue();
      assertThat(z.output()).contains("powering off");
    }
  }

  /** Every process below {@code pid}, by the parent pids of /proc/&#42;/stat. */
  static List<Long> descendants(long pid) {
    java.util.Map<Long, Long> parent = new java.util.HashMap<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        if (!p.getFileName().toString().matches("[0-9]+")) continue;
        try {
          String stat = Files.readString(p.resolve("stat"));
          parent.put(Long.parseLong(p.getFileName().toString()),
              Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]));
        } catch (IOException | RuntimeException e) {
          // gone meanwhile
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<Long> below = new ArrayList<>();
    for (long p : parent.keySet()) {
      for (Long up = parent.get(p); up != null && up > 0; up = parent.get(up)) {
        if (up == pid) {
          below.add(p);
          break;
        }
      }
    }
    return below;
  }

  static long zombiesOf(long parent) {
    long n = 0;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"));
        } catch (IOException | RuntimeException e) {
          continue;
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (f[0].equals("Z") && Long.parseLong(f[1]) == parent) n++;
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return n;
  }

  /** Processes whose whole command line is {@code argv} joined by spaces. */
  static List<Long> processesRunning(String argv) throws IOException {
    List<Long> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        if (!p.getFileName().toString().matches("\\d+")) continue;
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
          if (cmd.trim().equals(argv)) out.add(Long.parseLong(p.getFileName().toString()));
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    return out;
  }

  static List<Long> processesMentioning(String text) throws IOException {
    List<Long> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        if (!p.getFileName().toString().matches("\\d+")) continue;
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
          if (cmd.contains(text) && !cmd.contains("surefire") && !cmd.contains("failsafe")) {
            out.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    return out;
  }

  /** cgroup directories a given zinit instance may have left (named after it). */
  /**
   * The cgroups named after {@code zinitPid}. The walk covers the whole shared mount, where other
   * tests' and other zinits' cgroups come and go: a directory removed under the walk makes it
   * start over.
   */
  static List<Path> leftoverCgroups(long zinitPid) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return leftoverCgroupsOnce(zinitPid);
      } catch (java.io.UncheckedIOException e) {
        if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 10) throw e;
      }
    }
  }

  private static List<Path> leftoverCgroupsOnce(long zinitPid) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] halves = line.split(" - ");
      if (halves.length != 2 || !halves[1].startsWith("cgroup2 ")) continue;
      Path mount = Path.of(halves[0].split(" ")[4]);
      // Other zinits on the machine remove their cgroups while we walk: retry a walk that raced one.
      for (int attempt = 1; ; attempt++) {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.walk(mount, 3)) {
          dirs.filter(Files::isDirectory)
              .filter(d -> d.getFileName() != null
                  && d.getFileName().toString().matches("zinit-.*-" + zinitPid + "(\\..*)?"))
              .forEach(found::add);
          out.addAll(found);
          break;
        } catch (java.io.UncheckedIOException e) {
          if (attempt == 5) throw e;
        }
      }
    }
    return out;
  }
}
