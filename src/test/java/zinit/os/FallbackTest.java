package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static zinit.os.OsTesting.alive;
import static zinit.os.OsTesting.host;
import static zinit.os.OsTesting.key;
import static zinit.os.OsTesting.sh;

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

/** useCgroups=false: tracking by process group and /proc descendants (best effort). */
class FallbackTest {
  @TempDir Path tmp;

  @Test
  void plainServiceIsSignalledAndReportsTheSignal() throws Exception {
    try (var h = host(false)) {
      assertThat(h.host().cgroupsEnabled()).isFalse();
      ServiceProcess p = h.host().spawn(sh("plain", "exec sleep 1000", tmp));
      assertThat(p.cgroupTracked()).isFalse();
      OsTesting.await("running", () -> p.pids().equals(List.of(p.pid())));
      assertThat(p.signalAll(Signal.SIGTERM)).isEqualTo(1);
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Killed(15));
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }

  @Test
  void processGroupChildrenAndSessionEscapeesAreSignalledAndKilled() throws Exception {
    List<String> out = new CopyOnWriteArrayList<>();
    try (var h = host(false)) {
      ServiceProcess p =
          h.host()
              .spawn(
                  sh(
                      "group",
                      "trap '' TERM; sleep 1000 & sleep 1000 & setsid sleep 1000 & echo ready; wait",
                      tmp,
                      new OutputSink.Lines(out::add),
                      new OutputSink.Discard()));
      OsTesting.await("children", () -> out.contains("ready") && p.pids().size() == 4);
      assertThat(p.pids().getFirst()).isEqualTo(p.pid());
      List<ProcFs.Key> keys = new ArrayList<>();
      for (int pid : p.pids()) keys.add(key(pid));
      // SIGTERM is ignored by all (inherited SIG_IGN) but still delivered to each of them.
      assertThat(p.signalAll(Signal.SIGTERM)).isEqualTo(4);
      assertThat(p.exit()).isNotDone();
      p.killAll();
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Killed(9));
      p.empty().get(30, TimeUnit.SECONDS);
      for (ProcFs.Key k : keys) assertThat(alive(k)).as("alive " + k).isFalse();
      p.close();
    }
  }

  @Test
  void emptyWaitsForChildrenReparentedToZinit() throws Exception {
    List<String> out = new CopyOnWriteArrayList<>();
    Path go = tmp.resolve("go");
    try (var h = host(false)) {
      ServiceProcess p =
          h.host()
              .spawn(
                  sh(
                      "parent-exits",
                      "(while [ ! -e '" + go + "' ]; do sleep 0.02; done) & echo $!; exit 0",
                      tmp,
                      new OutputSink.Lines(out::add),
                      new OutputSink.Discard()));
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(0));
      OsTesting.await("child pid", () -> !out.isEmpty());
      int child = Integer.parseInt(out.getFirst());
      assertThat(p.pids()).contains(child);
      assertThat(p.empty()).isNotDone();
      java.nio.file.Files.createFile(go);
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }
}
