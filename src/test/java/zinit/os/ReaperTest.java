package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static zinit.os.OsTesting.host;
import static zinit.os.OsTesting.sh;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zinit.config.Signal;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.OutputSink;
import zinit.supervisor.ServiceProcess;

class ReaperTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "cgroups={0}")
  @ValueSource(booleans = {true, false})
  void orphanReparentedToZinitIsReapedWithoutZombie(boolean cgroups) throws Exception {
    List<String> out = new CopyOnWriteArrayList<>();
    try (var h = host(cgroups)) {
      // The background subshell outlives its parent, is re-parented to the (subreaper) JVM and
      // exits with 3 once the main process has gone.
      ServiceProcess p =
          h.host()
              .spawn(
                  sh(
                      "orphaner",
                      "(while kill -0 $$ 2>/dev/null; do sleep 0.05; done; exit 3) & echo $!",
                      tmp,
                      new OutputSink.Lines(out::add),
                      new OutputSink.Discard()));
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(0));
      OsTesting.await("orphan pid", () -> !out.isEmpty());
      int orphan = Integer.parseInt(out.getFirst());
      OsTesting.await("orphan reaped", () -> h.log().contains("reaped orphan " + orphan + " (exit 3)"));
      assertThat(ProcFs.stat(orphan).map(ProcFs.Stat::zombie).orElse(false)).as("zombie left").isFalse();
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }

  @Test
  void pidfdSignalToAnExitedAndReapedChildFailsWithEsrch() throws Exception {
    try (var h = host(false)) {
      ServiceProcess p = h.host().spawn(sh("sleeper", "exec sleep 1000", tmp));
      try (Pidfd pidfd = Pidfd.open(p.pid())) {
        p.killAll();
        assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Killed(9));
        assertThat(pidfd.trySignal(15)).isFalse();
        assertThatThrownBy(() -> pidfd.signal(15))
            .isInstanceOf(OsException.class)
            .hasMessageContaining("ESRCH")
            .satisfies(e -> assertThat(((OsException) e).errno()).isEqualTo(Errno.ESRCH));
      }
      assertThat(p.signalAll(Signal.SIGTERM)).isZero();
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }

  @Test
  void manyQuickChildrenAllReportTheirOwnStatus() throws Exception {
    try (var h = host(false)) {
      List<ServiceProcess> ps = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) ps.add(h.host().spawn(sh("quick" + i, "exit " + i, tmp)));
      for (int i = 0; i < 40; i++) {
        assertThat(ps.get(i).exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(i));
        ps.get(i).empty().get(30, TimeUnit.SECONDS);
        ps.get(i).close();
      }
    }
  }
}
