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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zinit.config.Signal;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.OutputSink;
import zinit.supervisor.ServiceProcess;

/** Issue 13: the stop signal without a freeze, only where that is as exact as a frozen pass. */
class SoleProcessTest {
  @TempDir Path tmp;

  @Test
  void aLoneProcessWithDefaultTermIsSignalledAtOnce() throws Exception {
    try (var h = host(true)) {
      ServiceProcess p = h.host().spawn(sh("sleeper", "exec sleep 1000", tmp));
      awaitEntered(p);
      var rest = p.signalAllAtOnce(Signal.SIGTERM, Signal.SIGCONT);
      assertThat(rest).isPresent();
      assertThat(rest.get().getAsBoolean()).isFalse(); // the check after sending: nobody else
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Killed(15));
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }

  @Test
  void aProcessThatCatchesTheSignalIsLeftToTheFrozenPass() throws Exception {
    Path record = tmp.resolve("record");
    List<String> out = new CopyOnWriteArrayList<>();
    try (var h = host(true)) {
      // One process (sh runs the loop's sleep as a child only now and then: retried until alone).
      ServiceProcess p =
          h.host().spawn(sh("catcher", "trap 'echo term > " + record + "; exit 0' TERM; echo ready; while :; do :; done", tmp,
              new OutputSink.Lines(out::add), new OutputSink.Discard()));
      OsTesting.await("ready", () -> out.contains("ready"));
      awaitEntered(p);
      assertThat(p.signalAllAtOnce(Signal.SIGTERM, Signal.SIGCONT)).isEmpty();
      assertThat(OsTesting.alive(key(p.pid()))).isTrue();
      assertThat(record).as("nothing was sent").doesNotExist();
      assertThat(p.signalAll(Signal.SIGTERM, Signal.SIGCONT)).isEqualTo(1);
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(0));
      assertThat(Files.readString(record).trim()).isEqualTo("term");
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }

  @Test
  void aUnitWithTwoProcessesIsLeftToTheFrozenPass() throws Exception {
    try (var h = host(true)) {
      ServiceProcess p = h.host().spawn(sh("pair", "sleep 1000 & exec sleep 1000", tmp));
      OsTesting.await("both", () -> p.pids().size() == 2);
      List<ProcFs.Key> keys = p.pids().stream().map(OsTesting::key).toList();
      assertThat(p.signalAllAtOnce(Signal.SIGTERM, Signal.SIGCONT)).isEmpty();
      for (ProcFs.Key k : keys) assertThat(OsTesting.alive(k)).isTrue();
      assertThat(p.signalAll(Signal.SIGTERM, Signal.SIGCONT)).isEqualTo(2);
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }

  @Test
  void theCheckAfterSendingSeesAChildOfMainAndALoneMainAsAlone() throws Exception {
    try (var h = host(true)) {
      ServiceProcess pair = h.host().spawn(sh("pair", "sleep 1000 & exec sleep 1000", tmp));
      ServiceProcess lone = h.host().spawn(sh("lone", "exec sleep 1000", tmp));
      OsTesting.await("both", () -> pair.pids().size() == 2);
      awaitEntered(lone);
      assertThat(SoleProcess.othersAppeared(((NativeUnit) pair).cgroup(), key(pair.pid()))).isTrue();
      assertThat(SoleProcess.othersAppeared(((NativeUnit) lone).cgroup(), key(lone.pid()))).isFalse();
      for (ServiceProcess p : List.of(pair, lone)) {
        p.killAll();
        p.empty().get(30, TimeUnit.SECONDS);
        p.close();
      }
    }
  }

  @Test
  void withoutCgroupsNothingIsSentAtOnce() throws Exception {
    try (var h = host(false)) {
      ServiceProcess p = h.host().spawn(sh("plain", "exec sleep 1000", tmp));
      assertThat(p.signalAllAtOnce(Signal.SIGTERM)).isEmpty();
      p.killAll();
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }

  @Test
  void aProcsListingIsOnlyMainWhenEveryLineIsMainsPid() {
    assertThat(onlyPid("4242\n", 4242)).isTrue();
    assertThat(onlyPid("", 4242)).as("empty: main gone").isTrue();
    assertThat(onlyPid("4242\n4243\n", 4242)).isFalse();
    assertThat(onlyPid("17\n4242\n", 4242)).isFalse();
    assertThat(onlyPid("424\n", 4242)).isFalse();
    assertThat(onlyPid("42421\n", 4242)).isFalse();
    assertThat(onlyPid("4242", 4242)).as("no final newline").isTrue();
    assertThat(onlyPid("42", 4242)).as("cut by the buffer").isFalse();
    assertThat(onlyPid("4242\nx\n", 4242)).isFalse();
  }

  private static boolean onlyPid(String listing, int pid) {
    byte[] b = listing.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return SoleProcess.onlyPid(b, b.length, pid);
  }

  @Test
  void statusSignalMasksAreRead() {
    String status = "Name:\tsleep\nTracerPid:\t0\nThreads:\t1\nSigQ:\t0/1\nSigPnd:\t0000000000000000\n"
        + "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000002\nSigCgt:\t0000000000002000\n";
    ProcFs.Signals s = ProcFs.parseSignals(status);
    assertThat(s.threads()).isEqualTo(1);
    assertThat(s.tracerPid()).isZero();
    assertThat(s.takesDefault(Signal.SIGTERM.number())).isTrue();
    assertThat(s.takesDefault(Signal.SIGINT.number())).as("ignored").isFalse();
    assertThat(s.takesDefault(Signal.SIGALRM.number())).as("caught").isFalse();
  }

  private static void awaitEntered(ServiceProcess p) {
    OsTesting.await("in its cgroup", () -> ((NativeUnit) p).cgroup().populatedNow() && p.pids().size() == 1);
  }
}
