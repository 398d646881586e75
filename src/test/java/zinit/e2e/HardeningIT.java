package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 12 item 8: what an operator sees when something is off, and stopping zinit from a script. */
class HardeningIT {
  @Test
  void statusAndStartOfAFileThatFailedToLoadNameItsErrorAndAHint() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("good", "exec: sleep 1000\n")
          .service("broken", "exec: sleep 1000\nsignal:\n  stop: SIGNOPE\n")
          .start();
      z.awaitState("good", "Running");
      for (String command : new String[] {"status", "start"}) {
        var r = z.cli(command, "broken");
        assertThat(r.exit()).isEqualTo(1);
        String[] lines = r.stderr().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("service 'broken' not found: its file failed to load:").contains("broken.yaml:3").contains("SIGNOPE");
        assertThat(lines[1]).isEqualTo("hint: fix the service file, then load it with 'zinit monitor broken'");
      }
    }
  }

  @Test
  void afterNamingAServiceThatIsNotMonitoredSaysSoInStatusAndLog() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("app", "exec: sleep 1000\nafter:\n  - db\n").start();
      z.awaitState("app", "Blocked");
      String why = "waiting for 'db', which is not monitored (zinit monitor db)";
      assertThat(z.call("service_status", "app").get("detail").asText()).isEqualTo(why);
      assertThat(z.cli("log", "-s").stdout()).contains("app: " + why);
    }
  }

  /** `zinit init &` in a script: SIGINT arrives ignored (SIG_IGN survives exec). */
  @Test
  void inheritedIgnoredSigintIsResetSoSigintStopsZinit() throws Exception {
    try (Zinit z = new Zinit()) {
      z.wrappedIn("/bin/sh", "-c", "trap '' INT; exec \"$@\"", "sh")
          .service("svc", "exec: sleep 1000\n")
          .start();
      z.awaitState("svc", "Running");
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(z.daemon.pid())).start();
      assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Zinit.waitFor("zinit to stop on SIGINT", Duration.ofSeconds(60), () -> !z.daemon.isAlive());
      assertThat(z.daemon.exitValue()).as(z.output()).isZero();
      assertThat(z.output()).contains("SIGINT was ignored").contains("SIGINT received: shutting down");
    }
  }
}
