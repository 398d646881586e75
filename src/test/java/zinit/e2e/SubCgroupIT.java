package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 12 items 4 and 7: services that make sub-cgroups, or leave their cgroup. */
class SubCgroupIT {
  @BeforeAll
  static void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  /**
   * As in os/SubtreeTest: makes the sub-cgroup "inner" in the service's own cgroup, moves a worker
   * that records SIGTERM there, then the main process sleeps.
   */
  private static final String NESTER = """
      m=$(grep ' - cgroup2 ' /proc/self/mountinfo | head -n 1 | cut -d' ' -f5)
      c=$m$(sed -n 's/^0:://p' /proc/self/cgroup)
      mkdir "$c/inner" || exit 3
      sh -c 'echo $$ > "$0/cgroup.procs" || exit 4; trap "echo term >> $1; exit 0" TERM
        echo $$ > $2; while :; do sleep 0.05; done' "$c/inner" "$1" "$2" &
      exec sleep 1000
      """;

  private static String nester(Zinit z) throws Exception {
    Files.writeString(z.file("nester.sh"), NESTER);
    return "exec: sh " + z.file("nester.sh") + " " + z.file("record") + " " + z.file("worker") + "\n";
  }

  @Test
  void serviceWithSubCgroupIsStoppedGracefullyAndListedInStats() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("nester", nester(z) + "shutdown_timeout: 60\n").start();
      z.awaitState("nester", "Running");
      Zinit.waitFor("worker", Duration.ofSeconds(20), () -> !pids(z, "worker").isEmpty());
      long worker = z.pidsIn("worker").getFirst();
      Zinit.waitFor("worker in stats", Duration.ofSeconds(20), () -> statsList(z).contains("pid: " + worker));

      var r = z.cli("stop", "nester");
      assertThat(r.exit()).as(r.stderr()).isZero();
      assertThat(Files.readString(z.file("record")).trim()).as("the worker's TERM trap ran").isEqualTo("term");
      assertThat(Zinit.alive(worker)).isFalse();
      assertThat(z.output()).doesNotContain("SIGKILL");
      assertThat(z.output()).doesNotContain("cgroup left");
    }
  }

  @Test
  void serviceThatLeftItsCgroupIsReportedAndStillStopped() throws Exception {
    Path away = ownCgroupDir().resolve("zinit-escape-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    Files.createDirectory(away);
    try (Zinit z = new Zinit()) {
      // Ignores TERM, so only the SIGKILL through its pidfd at the timeout can end it.
      z.service("leaver", "exec: sh -c \"trap '' TERM; echo $$ > " + away + "/cgroup.procs || exit 5; exec sleep 1000\"\n"
          + "shutdown_timeout: 1\n").start();
      z.awaitState("leaver", "Running");
      long pid = z.call("service_status", "leaver").get("pid").asLong();
      Zinit.waitFor("escape reported", Duration.ofSeconds(20), () -> detail(z).contains("left its cgroup"));
      assertThat(detail(z)).contains("main process " + pid).contains(away.getFileName().toString());
      assertThat(z.output()).contains("leaver: main process " + pid + " left its cgroup");
      var status = z.cli("status", "leaver");
      assertThat(status.stdout()).contains("left its cgroup");

      var r = z.cli("stop", "leaver");
      assertThat(r.exit()).as(r.stderr()).isZero();
      assertThat(Zinit.alive(pid)).isFalse();
      assertThat(Files.readString(away.resolve("cgroup.procs"))).isBlank();
    } finally {
      Path kill = away.resolve("cgroup.kill");
      if (Files.exists(kill)) Files.writeString(kill, "1"); // only if the test failed: ours
      Zinit.waitFor("escape cgroup empty", Duration.ofSeconds(20), () -> blank(away.resolve("cgroup.procs")));
      Files.delete(away);
    }
  }

  private static String detail(Zinit z) {
    try {
      var d = z.call("service_status", "leaver").get("detail");
      return d == null || d.isNull() ? "" : d.asText();
    } catch (Exception e) {
      return "";
    }
  }

  private static boolean blank(Path file) {
    try {
      return Files.readString(file).isBlank();
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** This JVM's own cgroup v2 directory, from /proc/self/mountinfo and /proc/self/cgroup. */
  private static Path ownCgroupDir() throws Exception {
    String own = Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
        .filter(l -> l.startsWith("0::")).findFirst().orElseThrow().substring(3);
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] halves = line.split(" - ");
      if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) {
        String[] f = halves[0].split(" ");
        String root = f[3];
        String rel = root.equals("/") ? own : own.substring(root.length());
        return Path.of(f[4] + rel);
      }
    }
    throw new IllegalStateException("no cgroup2 mount");
  }

  private static java.util.List<Long> pids(Zinit z, String marker) {
    try {
      return z.pidsIn(marker);
    } catch (Exception e) {
      return java.util.List.of(); // being written
    }
  }

  private static String statsList(Zinit z) {
    try {
      return z.cli("stats", "nester").stdout();
    } catch (Exception e) {
      return "";
    }
  }
}
