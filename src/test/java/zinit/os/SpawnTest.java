package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static zinit.os.OsTesting.host;
import static zinit.os.OsTesting.readWhenPresent;
import static zinit.os.OsTesting.sh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.OutputSink;
import zinit.supervisor.ServiceProcess;
import zinit.supervisor.SpawnException;
import zinit.supervisor.SpawnSpec;

class SpawnTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "cgroups={0}")
  @ValueSource(booleans = {true, false})
  void childIsSessionLeaderInItsDirWithItsEnvAndOnlyStdFds(boolean cgroups) throws Exception {
    Path work = Files.createDirectory(tmp.resolve("work dir"));
    Path out = Files.createDirectory(tmp.resolve("out"));
    Map<String, String> env = new HashMap<>(OsTesting.ENV);
    env.put("ZINIT_TEST_VAR", "hello world");
    env.put("OUT", out.toString());
    String script =
        "cat /proc/$$/stat > \"$OUT/stat\"; pwd > \"$OUT/pwd\"; env > \"$OUT/env\";"
            + " cat /proc/$$/cgroup > \"$OUT/cgroup\"; echo done > \"$OUT/done\";"
            // exec: the mask and dispositions as the service itself has them, not as dash has
            // them while it forks.
            + " exec grep -E '^Sig(Blk|Ign)' /proc/self/status";
    // The fd listing goes through the stdout pipe: a redirection would make dash save an fd.
    script = "ls /proc/$$/fd; " + script;
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (var h = host(cgroups)) {
      ServiceProcess p =
          h.host()
              .spawn(new SpawnSpec("probe", List.of("sh", "-c", script), env, work, new OutputSink.Lines(lines::add), new OutputSink.Discard()));
      assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(0));
      readWhenPresent(out.resolve("done"));
      ProcFs.Stat stat = ProcFs.parseStat(p.pid(), Files.readString(out.resolve("stat")));
      assertThat(stat.sid()).as("sid").isEqualTo(p.pid());
      assertThat(stat.pgid()).as("pgid").isEqualTo(p.pid());
      assertThat(Files.readString(out.resolve("pwd")).trim()).isEqualTo(work.toString());
      assertThat(Files.readString(out.resolve("env")).lines()).contains("ZINIT_TEST_VAR=hello world");
      OsTesting.await("output", () -> lines.size() >= 5);
      assertThat(lines)
          .containsExactly("0", "1", "2", "SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000");
      if (cgroups) {
        String cg = ProcFs.v2Path(Files.readString(out.resolve("cgroup"))).orElseThrow();
        assertThat(cg).isEqualTo(((NativeUnit) p).cgroup().procPath());
      }
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }

  @Test
  void missingProgramIsASpawnExceptionNamingIt() {
    try (var h = host(false)) {
      assertThatThrownBy(() -> h.host().spawn(new SpawnSpec("x", List.of("no-such-program-zinit"), OsTesting.ENV, tmp, new OutputSink.Discard(), new OutputSink.Discard())))
          .isInstanceOf(SpawnException.class)
          .hasMessageContaining("no-such-program-zinit")
          .hasMessageContaining("not found in PATH=" + PathLookup.DEFAULT_PATH);
    }
  }

  @Test
  void missingWorkingDirectoryIsASpawnException() {
    try (var h = host(false)) {
      assertThatThrownBy(() -> h.host().spawn(sh("x", "true", tmp.resolve("absent"))))
          .isInstanceOf(SpawnException.class)
          .hasMessageContaining(tmp.resolve("absent").toString());
    }
  }

  @Test
  void nonExecutableFileIsASpawnException() throws Exception {
    Path file = Files.writeString(tmp.resolve("script"), "#!/bin/sh\n");
    try (var h = host(false)) {
      assertThatThrownBy(() -> h.host().spawn(new SpawnSpec("x", List.of(file.toString()), OsTesting.ENV, tmp, new OutputSink.Discard(), new OutputSink.Discard())))
          .isInstanceOf(SpawnException.class)
          .hasMessageContaining("not executable");
    }
  }

  @ParameterizedTest(name = "cgroups={0}")
  @ValueSource(booleans = {true, false})
  void exitStatusesAreReportedExactly(boolean cgroups) throws Exception {
    try (var h = host(cgroups)) {
      for (int code : new int[] {0, 1, 2, 42, 126, 127, 128, 255}) {
        ServiceProcess p = h.host().spawn(sh("exit" + code, "exit " + code, tmp));
        assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(code));
        p.empty().get(30, TimeUnit.SECONDS);
        p.close();
      }
      for (int signal : new int[] {1, 9, 15, 10}) {
        ServiceProcess p = h.host().spawn(sh("sig" + signal, "kill -" + signal + " $$; sleep 100", tmp));
        assertThat(p.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Killed(signal));
        p.empty().get(30, TimeUnit.SECONDS);
        p.close();
      }
    }
  }

  @Test
  void isNotPid1AndRefusesToReboot() {
    try (var h = host(false)) {
      assertThat(h.host().isPid1()).isFalse();
      assertThatThrownBy(() -> h.host().reboot(false)).isInstanceOf(IllegalStateException.class);
      h.host().sync();
    }
  }
}
