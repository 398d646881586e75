package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code <socket>.state} is read at start to find a dead zinit's units. Whoever can write next to
 * the socket (a socket in /tmp) must not be able to name a process for zinit to kill with it, nor
 * hang zinit's start with a FIFO in its place.
 */
class ForgedStateIT {
  @Test
  @Timeout(90)
  void aStateFileZinitDidNotWriteNamesNoProcessToKill() throws Exception {
    assumeTrue(Privileges.root(), "needs root (to write the forged file as another user)");
    Process victim = new ProcessBuilder("sleep", "1000").start();
    try (Zinit z = new Zinit()) {
      long pid = victim.pid();
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String starttime = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
      Path state = Path.of(z.socket + ".state");
      // as a dead zinit of this socket would have left it, but written by nobody
      Files.writeString(state, "zinit 4000000 12345 " + z.socket + "\nunit " + pid + " " + starttime + " web\n");
      Files.setOwner(state, state.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
      z.service("svc", "exec: sleep 1000\n").start();
      z.awaitState("svc", "Running");
      assertThat(victim.isAlive()).as("the process the forged file named; zinit's output:\n%s", z.output()).isTrue();
      assertThat(z.output()).contains("ignored");
    } finally {
      victim.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(90)
  void aFifoInPlaceOfTheStateFileDoesNotHangTheStart() throws Exception {
    try (Zinit z = new Zinit()) {
      Path state = Path.of(z.socket + ".state");
      Process mk = new ProcessBuilder("mkfifo", state.toString()).inheritIO().start();
      assertThat(mk.waitFor(30, TimeUnit.SECONDS) && mk.exitValue() == 0).isTrue();
      try {
        z.service("svc", "exec: sleep 1000\n").start();
        z.awaitState("svc", "Running");
      } finally {
        // before the fix zinit sits in open() of the FIFO: a writer lets it go, so cleanup can run
        Process release = new ProcessBuilder("timeout", "2", "sh", "-c", "exec 3>\"$1\"", "sh", state.toString()).start();
        release.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
