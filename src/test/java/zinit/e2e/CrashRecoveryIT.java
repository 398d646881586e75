package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 12 item 3: after zinit is killed and started again, every service runs once. */
class CrashRecoveryIT {
  /** The main process and a child in its session each append their pid to {@code marker}. */
  static String service(Path marker) {
    return "exec: sh -c 'sleep 1000 & echo $! >> " + marker + "; echo $$ >> " + marker + "; exec sleep 1000'\n";
  }

  @Test
  void killNineThenRestartRunsEachServiceOnceWithCgroups() throws Exception {
    Privileges.assumeRootWithCgroups();
    killNineThenRestart();
  }

  @Test
  void killNineThenRestartRunsEachServiceOnceWithoutCgroups() throws Exception {
    killNineThenRestart("--no-cgroups");
  }

  private static void killNineThenRestart(String... args) throws Exception {
    try (Zinit z = new Zinit()) {
      Path marker = z.file("pids");
      try {
        z.initArgs(args).service("svc", service(marker)).start();
        z.awaitState("svc", "Running");
        Zinit.waitFor("both pids of the first copy", Duration.ofSeconds(30), () -> lines(z) == 2);
        List<Long> first = z.pidsIn("pids");
        assertThat(first).allMatch(Zinit::alive);
        assertThat(Files.exists(Path.of(z.socket + ".state"))).isTrue();

        z.killHard();
        assertThat(first).as("a crashed zinit's services live on").allMatch(Zinit::alive);

        z.start();
        z.awaitState("svc", "Running");
        Zinit.waitFor("both pids of the second copy", Duration.ofSeconds(30), () -> lines(z) == 4);
        Zinit.waitFor("the first copy to be gone", Duration.ofSeconds(30), () -> first.stream().noneMatch(Zinit::alive));
        List<Long> all = z.pidsIn("pids");
        assertThat(all.subList(2, 4)).allMatch(Zinit::alive);
        assertThat(z.output()).contains("crash recovery:").contains("svc");
        assertThat(lines(z)).as("exactly one copy was started again").isEqualTo(4);
      } catch (Throwable t) {
        killAll(z);
        throw t;
      }
      z.rpc("system_shutdown");
      assertThat(z.daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(Files.exists(Path.of(z.socket + ".state"))).as("a clean exit leaves no state").isFalse();
    }
  }

  @Test
  void aLiveZinitOnAnotherSocketIsNeverTouched() throws Exception {
    try (Zinit a = new Zinit(); Zinit b = new Zinit()) {
      try {
        a.service("svc", service(a.file("pids"))).start();
        a.awaitState("svc", "Running");
        Zinit.waitFor("both pids", Duration.ofSeconds(30), () -> lines(a) == 2);
        List<Long> pids = a.pidsIn("pids");
        b.service("svc", service(b.file("pids"))).start();
        b.awaitState("svc", "Running");
        assertThat(pids).allMatch(Zinit::alive);
        assertThat(a.state("svc")).isEqualTo("Running");
        assertThat(b.output()).doesNotContain("crash recovery");
      } catch (Throwable t) {
        killAll(a);
        killAll(b);
        throw t;
      }
    }
  }

  private static int lines(Zinit z) {
    try {
      return z.pidsIn("pids").size();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Test hygiene whatever failed: no copy of the service outlives the test. */
  private static void killAll(Zinit z) throws IOException {
    for (long pid : z.pidsIn("pids")) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }
}
