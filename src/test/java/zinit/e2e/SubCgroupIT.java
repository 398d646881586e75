package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
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
