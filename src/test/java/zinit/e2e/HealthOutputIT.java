package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What an exec health check prints: where it goes, and the last line that explains a failure. */
class HealthOutputIT {
  @BeforeAll
  static void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  private static String health(Zinit z, String service) {
    try {
      var st = z.call("service_status", service);
      return st.has("health") ? st.get("health").asText() : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void execHealthChecksStderrIsLoggedAsStderr() throws Exception {
    // A check's stderr was logged as "[+] app/health: ..." (stdout), unlike the service's and its
    // test's, so `zinit log` could not tell a check's errors from its output.
    try (Zinit z = new Zinit()) {
      z.service("app", "exec: sleep 1000\nhealth:\n  exec: sh -c 'echo out here; echo trouble here >&2; exit 1'\n"
              + "  interval: 0.2\n  retries: 1000\n")
          .start();
      Zinit.waitFor("a failed check", Duration.ofSeconds(30), () -> health(z, "app").startsWith("failing (2/"));
      String log = z.cli("log", "-s").stdout();
      assertThat(log).contains("[+] app/health: out here").contains("[-] app/health: trouble here")
          .doesNotContain("[+] app/health: trouble here");
    }
  }

  @Test
  void failingExecHealthCheckOfAFileLoggedServiceShowsItsLastLineAndWritesItToTheFile() throws Exception {
    // With log: file the check's output went to the file, but its last line never reached the
    // verdict: status said only "exit code 1", while a log: ring service said why.
    try (Zinit z = new Zinit()) {
      Path file = z.file("app.log");
      z.service("app", "exec: sleep 1000\nlog: file\nlog_file: " + file
              + "\nhealth:\n  exec: sh -c 'echo no marker file; exit 1'\n  interval: 0.2\n  retries: 1000\n")
          .start();
      Zinit.waitFor("a failed check", Duration.ofSeconds(30), () -> health(z, "app").startsWith("failing (2/"));
      assertThat(health(z, "app")).endsWith("exit code 1: no marker file");
      Zinit.waitFor("the check's line in the file", Duration.ofSeconds(30), () -> {
        try {
          return Files.readString(file).contains("[+] app/health: no marker file");
        } catch (java.io.IOException e) {
          return false;
        }
      });
    }
  }
}
