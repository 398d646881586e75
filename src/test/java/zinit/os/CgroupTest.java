package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static zinit.os.OsTesting.alive;
import static zinit.os.OsTesting.host;
import static zinit.os.OsTesting.key;
import static zinit.os.OsTesting.sh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zinit.config.Signal;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.OutputSink;
import zinit.supervisor.ServiceProcess;

class CgroupTest {
  @TempDir Path tmp;

  /** Main prints the pid of a grandchild that left its session and parent, then sleeps. */
  private static final String ESCAPER =
      "( setsid sh -c 'echo $$; exec sleep 1000' & ) ; exec sleep 1000";

  @Test
  void populatedIsReadFromTheBytesOfCgroupEvents() {
    assertThat(populated("populated 0\nfrozen 0\n")).isFalse();
    assertThat(populated("populated 1\nfrozen 0\n")).isTrue();
    assertThat(populated("frozen 1\npopulated 1\n")).isTrue();
    assertThat(populated("populated 0")).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> populated("frozen 0\n"))
        .isInstanceOf(IllegalStateException.class);
  }

  private static boolean populated(String events) {
    byte[] b = events.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    boolean fromBytes = Cgroup.populated(b, b.length);
    assertThat(fromBytes).as("as from the text").isEqualTo(Cgroup.populated(events));
    return fromBytes;
  }

  @Test
  void stopKillsEscapedDoubleForkedGrandchild() throws Exception {
    List<String> out = new CopyOnWriteArrayList<>();
    try (var h = host(true)) {
      ServiceProcess p = h.host().spawn(sh("escaper", ESCAPER, tmp, new OutputSink.Lines(out::add), new OutputSink.Discard()));
      assertThat(p.cgroupTracked()).isTrue();
      OsTesting.await("grandchild pid", () -> !out.isEmpty());
      int grandchild = Integer.parseInt(out.getFirst());
      ProcFs.Key gk = key(grandchild);
      OsTesting.await("grandchild listed", () -> p.pids().contains(grandchild));
      assertThat(ProcFs.stat(grandchild).orElseThrow().sid()).isEqualTo(grandchild);
      assertThat(p.pids().getFirst()).isEqualTo(p.pid());

      p.killAll();
      p.empty().get(30, TimeUnit.SECONDS);
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Killed(9));
      OsTesting.await("grandchild gone", () -> !OsTesting.exists(gk));
      assertThat(p.pids()).isEmpty();
      p.close();
    }
  }

  @Test
  void signalAllReachesEveryProcessOfTheUnit() throws Exception {
    List<String> out = new CopyOnWriteArrayList<>();
    try (var h = host(true)) {
      ServiceProcess p =
          h.host()
              .spawn(sh("family", "sleep 1000 & sleep 1000 & sleep 1000 & echo ready; wait", tmp, new OutputSink.Lines(out::add), new OutputSink.Discard()));
      OsTesting.await("children", () -> out.contains("ready") && p.pids().size() == 4);
      assertThat(p.signalAll(Signal.SIGTERM)).isEqualTo(4);
      p.empty().get(30, TimeUnit.SECONDS);
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Killed(15));
      p.close();
    }
  }

  @Test
  void emptyCompletesOnlyWhenTheLastProcessLeaves() throws Exception {
    Path go = tmp.resolve("go");
    try (var h = host(true)) {
      // The main process exits at once; its child waits for the test's go-ahead.
      ServiceProcess p =
          h.host().spawn(sh("lingerer", "(while [ ! -e '" + go + "' ]; do sleep 0.02; done) & exit 0", tmp));
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(0));
      assertThat(p.pids()).isNotEmpty(); // the waiting child (and maybe its sleep)
      assertThat(p.empty()).isNotDone();
      Files.createFile(go);
      p.empty().get(30, TimeUnit.SECONDS);
      assertThat(p.pids()).isEmpty();
      p.close();
    }
  }

  @Test
  void closeRemovesTheUnitCgroupAndHostCloseTheBase() throws Exception {
    var h = host(true);
    Path unitDir;
    Path baseDir;
    Path leftDir;
    try {
      ServiceProcess p = h.host().spawn(sh("short", "exit 0", tmp));
      unitDir = ((NativeUnit) p).cgroup().dir();
      baseDir = unitDir.getParent();
      assertThat(baseDir.getFileName().toString()).startsWith("zinit-test-");
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
      assertThat(unitDir).doesNotExist();
      // One left running: host close must kill it and still remove everything.
      ServiceProcess left = h.host().spawn(sh("left", "sleep 1000 & exec sleep 1000", tmp));
      leftDir = ((NativeUnit) left).cgroup().dir();
      OsTesting.await("running", () -> left.pids().size() == 2);
    } finally {
      h.close();
    }
    assertThat(leftDir).doesNotExist();
    assertThat(baseDir).doesNotExist();
  }

  @Test
  void killAllWithoutCgroupKillFreezesAndKillsEachMember() throws Exception {
    List<String> out = new CopyOnWriteArrayList<>();
    try (var h = host(true)) {
      h.host().noCgroupKillForTests = true;
      ServiceProcess p =
          h.host().spawn(sh("forker", "trap '' TERM; sleep 1000 & (setsid sleep 1000 &) ; echo ready; wait", tmp, new OutputSink.Lines(out::add), new OutputSink.Discard()));
      OsTesting.await("children", () -> out.contains("ready") && p.pids().size() == 3);
      List<ProcFs.Key> keys = new ArrayList<>();
      for (int pid : p.pids()) keys.add(key(pid));
      p.killAll();
      p.empty().get(30, TimeUnit.SECONDS);
      assertThat(h.log()).anyMatch(l -> l.contains("cgroup.kill fallback"));
      for (ProcFs.Key k : keys) assertThat(alive(k)).as("alive " + k).isFalse();
      p.close();
    }
  }

  @Test
  void statsReportMemoryAndChildren() throws Exception {
    try (var h = host(true)) {
      ServiceProcess p = h.host().spawn(sh("stats", "sleep 1000 & exec sleep 1000", tmp));
      OsTesting.await("running", () -> p.pids().size() == 2);
      var stats = p.stats();
      assertThat(stats.pid()).isEqualTo(p.pid());
      assertThat(stats.memory()).isPositive();
      assertThat(stats.children()).hasSize(1);
      assertThat(stats.totalMemory()).isGreaterThanOrEqualTo(stats.memory() + stats.children().getFirst().memory());
      assertThat(stats.cpu()).isGreaterThanOrEqualTo(0);
      assertThat(p.stats().totalCpu()).isGreaterThanOrEqualTo(0);
      p.killAll();
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }
}
