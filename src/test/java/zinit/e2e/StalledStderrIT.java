package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * zinit's stderr that does not take its lines (a pipe whose reader stalls, a serial console
 * stopped by XOFF) must not hold up zinit: the supervisor loop logs every start and exit there.
 */
class StalledStderrIT {
  @Test
  @Timeout(90)
  void aStderrNobodyReadsDoesNotWedgeTheControlPlane() throws Exception {
    try (Zinit z = new Zinit()) {
      Path fifo = z.file("stderr.fifo");
      Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
      assertThat(mk.waitFor(30, TimeUnit.SECONDS) && mk.exitValue() == 0).isTrue();
      try {
        // zinit itself holds the pipe's read end (fd 3) and never reads it: its 64 KiB fill up
        z.wrappedIn("/bin/sh", "-c", "exec 3<>\"$0\"; exec \"$@\" >\"$0\" 2>&1", fifo.toString())
            .service("ok", "exec: sleep 1000\n")
            .start();
        z.awaitState("ok", "Running");
        // well over 64 KiB of zinit's own lines: one warning per unknown key
        StringBuilder noisy = new StringBuilder("exec: sleep 1000\n");
        for (int i = 0; i < 3000; i++) noisy.append("an_unknown_key_of_this_file_").append(i).append(": ").append(i).append('\n');
        z.service("noisy", noisy.toString());
        z.call("service_monitor", "noisy");
        z.awaitState("noisy", "Running");
        for (int i = 0; i < 3; i++) {
          z.call("service_stop", "ok");
          z.call("service_start", "ok");
          z.awaitState("ok", "Running");
        }
        assertThat(z.call("service_list").size()).isEqualTo(2);
        assertThat(z.cli("log", "-s", "zinit").stdout()).contains("noisy: started");
      } finally {
        // before the fix zinit sits in write(2): a reader for a few seconds lets it go, so cleanup can run
        Process drain = new ProcessBuilder("timeout", "5", "cat", fifo.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        drain.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
