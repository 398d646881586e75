package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static zinit.os.OsTesting.host;
import static zinit.os.OsTesting.key;
import static zinit.os.OsTesting.sh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zinit.config.Signal;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.ServiceProcess;

/** Issue 12 item 4: a unit's processes in cgroups it made below its own are still its own. */
class SubtreeTest {
  @TempDir Path tmp;

  /**
   * Makes the sub-cgroup "inner" in the unit's own cgroup and moves a worker there that records
   * SIGTERM in $1 and its pid in $2; then the main process sleeps. Found from /proc as a
   * container runtime would, not from anything zinit tells it.
   */
  static final String NESTER =
      "m=$(grep ' - cgroup2 ' /proc/self/mountinfo | head -n 1 | cut -d' ' -f5); "
          + "c=$m$(sed -n 's/^0:://p' /proc/self/cgroup); mkdir \"$c/inner\" || exit 3; "
          + "sh -c 'echo $$ > \"$0/cgroup.procs\" || exit 4; trap \"echo term >> $1; exit 0\" TERM; "
          + "echo $$ > $2; while :; do sleep 0.05; done' \"$c/inner\" \"$1\" \"$2\" & exec sleep 1000";

  static String nester(Path record, Path worker) {
    return "set -- '" + record + "' '" + worker + "'; " + NESTER;
  }

  @Test
  void stopSignalReachesWorkerInSubCgroupAndCloseRemovesTheSubtree() throws Exception {
    Path record = tmp.resolve("record");
    Path worker = tmp.resolve("worker");
    try (var h = host(true)) {
      ServiceProcess p = h.host().spawn(sh("nester", nester(record, worker), tmp));
      Path unitDir = ((NativeUnit) p).cgroup().dir();
      int pid = Integer.parseInt(OsTesting.readWhenPresent(worker));
      ProcFs.Key wk = key(pid);
      assertThat(ProcFs.cgroupOf(pid).orElseThrow()).endsWith("/inner");
      OsTesting.await("worker listed", () -> p.pids().contains(pid));
      assertThat(p.stats().children()).anyMatch(c -> c.pid() == pid);

      assertThat(p.signalAll(Signal.SIGTERM, Signal.SIGCONT)).isGreaterThanOrEqualTo(2);
      p.empty().get(30, TimeUnit.SECONDS);
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Killed(15));
      assertThat(Files.readString(record).trim()).as("the worker's TERM trap ran").isEqualTo("term");
      assertThat(OsTesting.alive(wk)).isFalse();
      p.close();
      assertThat(unitDir.resolve("inner")).doesNotExist();
      assertThat(unitDir).doesNotExist();
      assertThat(h.log()).noneMatch(l -> l.contains("cgroup left"));
    }
  }

  @Test
  void killAllReachesSubCgroupsAlsoWithoutCgroupKill() throws Exception {
    Path record = tmp.resolve("record");
    Path worker = tmp.resolve("worker");
    try (var h = host(true)) {
      h.host().noCgroupKillForTests = true;
      ServiceProcess p = h.host().spawn(sh("nester", nester(record, worker), tmp));
      int pid = Integer.parseInt(OsTesting.readWhenPresent(worker));
      ProcFs.Key wk = key(pid);
      OsTesting.await("worker listed", () -> p.pids().contains(pid));
      p.killAll();
      p.empty().get(30, TimeUnit.SECONDS);
      assertThat(OsTesting.alive(wk)).isFalse();
      assertThat(h.log()).noneMatch(l -> l.contains("still listed"));
      p.close();
    }
  }

  @Test
  void containsNamesTheCgroupAndItsDescendantsOnly() {
    Cgroup c = new Cgroup(Path.of("/sys/fs/cgroup/a/b"), "/a/b");
    assertThat(c.contains("/a/b")).isTrue();
    assertThat(c.contains("/a/b/inner")).isTrue();
    assertThat(c.contains("/a/bc")).isFalse();
    assertThat(c.contains("/a")).isFalse();
    assertThat(new Cgroup(Path.of("/sys/fs/cgroup"), "/").contains("/x")).isTrue();
  }
}
