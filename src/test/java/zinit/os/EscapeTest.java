package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static zinit.os.OsTesting.host;
import static zinit.os.OsTesting.key;
import static zinit.os.OsTesting.sh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zinit.config.Signal;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.ServiceProcess;

/**
 * Issue 12 item 7: a main process that writes itself into another cgroup. The cgroup it escapes
 * to is this test's own, made beside the test JVM's cgroup (never the real root) and removed after.
 */
class EscapeTest {
  @TempDir Path tmp;
  private Path away;

  @BeforeEach
  void makeTheCgroupToEscapeTo() throws Exception {
    OsTesting.assumeRootWithCgroups();
    away = CgroupMount.find().orElseThrow().ownDir().resolve("zinit-escape-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    Files.createDirectory(away);
  }

  @AfterEach
  void removeIt() throws Exception {
    if (away == null) return;
    // Whatever the test left there is the test's own: SIGKILL it, wait, remove the cgroup.
    Path kill = away.resolve("cgroup.kill");
    if (Files.exists(kill)) Files.writeString(kill, "1");
    OsTesting.await("escape cgroup empty", () -> ProcFs.read(away.resolve("cgroup.procs")).orElse("").isBlank());
    Files.delete(away);
  }

  @Test
  void mainThatLeftItsCgroupIsReportedAndKilledThroughItsPidfd() throws Exception {
    try (var h = host(true)) {
      // Ignores TERM, so only the SIGKILL through its pidfd can end it.
      ServiceProcess p =
          h.host().spawn(sh("leaver", "trap '' TERM; echo $$ > '" + away + "/cgroup.procs' || exit 5; exec sleep 1000", tmp));
      ProcFs.Key main = key(p.pid());
      List<String> lines = new CopyOnWriteArrayList<>();
      p.onTrackingNote(lines::add);
      OsTesting.await("escape noticed", () -> p.trackingNote().isPresent());
      assertThat(p.trackingNote().orElseThrow()).contains("main process " + p.pid() + " left its cgroup").contains(away.getFileName().toString());
      OsTesting.await("escape line", () -> !lines.isEmpty());
      assertThat(lines).singleElement().asString().startsWith("leaver: main process " + p.pid() + " left its cgroup");
      assertThat(p.empty()).as("the unit is not over while its main process runs").isNotDone();
      assertThat(p.pids()).containsExactly(p.pid());

      p.signalAll(Signal.SIGTERM, Signal.SIGCONT);
      assertThat(OsTesting.alive(main)).as("ignores TERM").isTrue();
      p.killAll();
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Killed(9));
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
      assertThat(h.log()).noneMatch(l -> l.contains("ENOENT") || l.contains("ENODEV"));
    }
  }

  @Test
  void mainThatLeftItsCgroupGetsTheStopSignal() throws Exception {
    try (var h = host(true)) {
      ServiceProcess p = h.host().spawn(sh("leaver", "echo $$ > '" + away + "/cgroup.procs' || exit 5; exec sleep 1000", tmp));
      OsTesting.await("escape noticed", () -> p.trackingNote().isPresent());
      assertThat(p.signalAll(Signal.SIGTERM, Signal.SIGCONT)).isPositive();
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Killed(15));
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }

  @Test
  void aUnitThatNeverLeftHasNoNote() throws Exception {
    try (var h = host(true)) {
      ServiceProcess p = h.host().spawn(sh("stayer", "exec sleep 1000", tmp));
      OsTesting.await("running", () -> p.pids().contains(p.pid()) && ((NativeUnit) p).cgroup().populatedNow());
      assertThat(p.trackingNote()).isEmpty();
      p.signalAll(Signal.SIGTERM, Signal.SIGCONT);
      p.empty().get(30, TimeUnit.SECONDS);
      assertThat(p.trackingNote()).isEmpty();
      p.close();
    }
  }
}
