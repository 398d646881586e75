package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * zinit as PID 1 of a fresh PID namespace; after a service's main process is gone, an unrelated
 * process is forced onto the same pid (and made its own process-group leader) through
 * /proc/sys/kernel/ns_last_pid. Nothing zinit does to the service may reach it.
 */
class PidReuseIT {
  @ParameterizedTest(name = "cgroups={0}")
  @ValueSource(booleans = {true, false})
  void reusedPidIsNeverSignalled(boolean cgroups) throws Exception {
    Privileges.assumePidNamespaces();
    Zinit z = new Zinit().wrappedIn("unshare", "-p", "-f", "--mount-proc");
    if (!cgroups) z.initArgs("--no-cgroups");
    try (z) {
      z.service("once", "exec: sh -c 'echo $$ > " + z.file("nspid") + "'\noneshot: true\n")
          .start();
      z.awaitState("once", "Success");
      int nsPid = Integer.parseInt(Files.readString(z.file("nspid")).trim());
      long zinitHostPid = onlyChild(z.daemon.pid());

      // An unrelated process, not started by zinit, takes the pid the service had.
      String marker = Integer.toString(100000 + ThreadLocalRandom.current().nextInt(800000));
      Process intruder =
          new ProcessBuilder(
                  "nsenter", "-t", Long.toString(zinitHostPid), "-p", "--", "sh", "-c",
                  "echo " + (nsPid - 1) + " > /proc/sys/kernel/ns_last_pid; "
                      + "setsid sleep " + marker + " & echo $! > " + z.file("intruder") + "; wait")
              .redirectErrorStream(true)
              .start();
      try {
        Zinit.waitFor("intruder", Duration.ofSeconds(10),
            () -> StopIT.count(z, "intruder") == 1);
        long got = z.pidsIn("intruder").getFirst();
        assertThat(got).as("the kernel handed out the reused pid").isEqualTo(nsPid);
        // $! is written right after the fork: the intruder may not have exec'd sleep yet.
        Zinit.waitFor("intruder running sleep", Duration.ofSeconds(10),
            () -> running("sleep " + marker).size() == 1);
        List<Long> intruderHost = ShutdownIT.processesRunning("sleep " + marker);
        assertThat(intruderHost).hasSize(1);

        assertThat(z.rpc("service_kill", "once", "SIGKILL").at("/error/code").asInt())
            .isEqualTo(-32003);
        assertThat(z.cli("stop", "once").exit()).isZero();
        assertThat(z.cli("start", "once").exit()).isZero();
        z.awaitState("once", "Success");
        assertThat(z.cli("stop", "once").exit()).isZero();
        assertThat(Zinit.alive(intruderHost.getFirst())).as("unrelated process untouched").isTrue();
      } finally {
        intruder.destroy();
        intruder.descendants().forEach(ProcessHandle::destroyForcibly);
        intruder.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static List<Long> running(String argv) {
    try {
      return ShutdownIT.processesRunning(argv);
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  /** The one child of {@code pid} (unshare -f forks zinit as its only child). */
  static long onlyChild(long pid) throws Exception {
    Path children = Path.of("/proc/" + pid + "/task/" + pid + "/children");
    Zinit.waitFor("zinit under unshare", Duration.ofSeconds(10), () -> {
      try {
        return !Files.readString(children).isBlank();
      } catch (Exception e) {
        return false;
      }
    });
    return Long.parseLong(Files.readString(children).trim().split("\\s+")[0]);
  }
}
