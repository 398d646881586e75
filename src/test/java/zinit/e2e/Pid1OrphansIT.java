package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * zinit as PID 1 of a PID namespace inherits the orphans of processes that were entered into the
 * namespace from outside (`docker exec`, `nsenter`), which it never spawned.
 */
class Pid1OrphansIT {
  @Test
  void orphansOfAProcessEnteredFromOutsideAreReapedWhileZinitHasNoChildOfItsOwn() throws Exception {
    // zinit's reaper slept until zinit's next spawn whenever it had no child: with no service
    // running, every such orphan stayed a zombie (5 here) until something was started.
    Privileges.assumePidNamespaces();
    try (Zinit z = new Zinit().wrappedIn("unshare", "-p", "-f", "--mount-proc")) {
      z.start(); // no service: zinit has no child
      long zinit = PidReuseIT.onlyChild(z.daemon.pid());
      Process exec = new ProcessBuilder("nsenter", "-t", Long.toString(zinit), "-p", "--", "sh", "-c",
              "for i in 1 2 3 4 5; do sleep 1 & done")
          .redirectErrorStream(true).start();
      assertThat(exec.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(children(zinit)).as("the sleeps were handed to zinit").isGreaterThanOrEqualTo(5);
      Zinit.waitFor("the orphans reaped", Duration.ofSeconds(30), () -> children(zinit) == 0);
      assertThat(ShutdownIT.zombiesOf(zinit)).isZero();
    }
  }

  /** Children of {@code pid} (of any of its threads), zombies included. */
  private static int children(long pid) {
    int n = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"));
        } catch (IOException | RuntimeException e) {
          continue; // not a process, or gone
        }
        if (Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]) == pid) n++;
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return n;
  }
}
