package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 3, the service model, end to end through bin/zinit as a user runs it. */
class ServicesIT {
  @BeforeEach // not @BeforeAll: each test is then reported skipped, by name and with the reason
  void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  @Test
  void listAndStatusPrintYamlLikeTheOriginal() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("db", "exec: sleep 1000\n")
          .service("app", "exec: sleep 1000\nafter:\n  - db\n")
          .start();
      z.awaitState("app", "Running");
      var list = z.cli("list");
      assertThat(list.exit()).as(list.stderr()).isZero();
      assertThat(list.stdout()).contains("app: Running\n").contains("db: Running\n");
      var status = z.cli("status", "app");
      assertThat(status.exit()).isZero();
      assertThat(status.stdout())
          .contains("name: app")
          .containsPattern("pid: [1-9]\\d*")
          .contains("state: Running")
          .contains("target: Up")
          .containsPattern("after:\\s*\\n\\s+db: Running");
    }
  }

  @Test
  void badFileIsReportedWithFileAndLineAndOthersStillLoad() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("good", "exec: sleep 1000\n")
          .service("broken", "exec: sleep 1000\nsignal:\n  stop: SIGNOPE\n")
          .start();
      z.awaitState("good", "Running");
      assertThat(z.output()).contains("broken.yaml:3").contains("SIGNOPE");
      var r = z.cli("status", "broken");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.stderr()).contains("broken").contains("not found");
    }
  }

  @Test
  void programThatCannotBeSpawnedIsFailureWithReasonInLog() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("ghost", "exec: /nonexistent/program --flag\n").start();
      z.awaitState("ghost", "Failure");
      var log = z.cli("log", "-s");
      assertThat(log.stdout()).contains("ghost").contains("/nonexistent/program");
    }
  }

  @Test
  void outputGoesToRingWithStreamMarkersAndTestLogsAsNameSlashTest() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("talker", "exec: sh -c 'echo hello out; echo hello err >&2; exec sleep 1000'\n"
              + "test: sh -c 'echo checking; exit 0'\n")
          .start();
      z.awaitState("talker", "Running");
      Zinit.waitFor("lines", Duration.ofSeconds(10), () -> {
        try {
          String out = z.cli("log", "-s").stdout();
          return out.contains("[+] talker: hello out") && out.contains("[-] talker: hello err")
              && out.contains("[+] talker/test: checking");
        } catch (Exception e) {
          return false;
        }
      });
      String filtered = z.cli("log", "-s", "talker").stdout();
      assertThat(filtered).contains("[+] talker: hello out").doesNotContain("talker/test");
    }
  }

  @Test
  void monitorForgetStartStopAndTheirErrors() throws Exception {
    try (Zinit z = new Zinit()) {
      z.start();
      Files.writeString(z.config.resolve("late.yaml"), "exec: sleep 1000\n");
      assertThat(z.cli("monitor", "late").exit()).isZero();
      z.awaitState("late", "Running");
      assertThat(z.rpc("service_monitor", "late").at("/error/code").asInt()).isEqualTo(-32001);
      assertThat(z.rpc("service_forget", "late").at("/error/code").asInt()).isEqualTo(-32002);
      assertThat(z.rpc("service_kill", "late", "SIGNOPE").at("/error/code").asInt())
          .isEqualTo(-32004);
      assertThat(z.cli("stop", "late").exit()).isZero();
      assertThat(z.rpc("service_kill", "late", "TERM").at("/error/code").asInt())
          .isEqualTo(-32003);
      assertThat(z.cli("forget", "late").exit()).isZero();
      assertThat(z.rpc("service_status", "late").at("/error/code").asInt()).isEqualTo(-32000);
      Files.writeString(z.config.resolve("worse.yaml"), "exec: [unclosed\n");
      assertThat(z.rpc("service_monitor", "worse").at("/error/code").asInt()).isEqualTo(-32005);
    }
  }

  @Test
  void killSendsSignalToMainProcessByNameWithOrWithoutPrefix() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("hup", "exec: sh -c 'trap \"echo got-hup >> " + z.file("hups")
          + "\" HUP; while true; do sleep 0.1; done'\n").start();
      z.awaitState("hup", "Running");
      assertThat(z.cli("kill", "hup", "SIGHUP").exit()).isZero();
      Zinit.waitFor("first HUP", Duration.ofSeconds(10), () -> StopIT.count(z, "hups") >= 0
          && lines(z, "hups") == 1);
      assertThat(z.cli("kill", "hup", "HUP").exit()).isZero();
      Zinit.waitFor("second HUP", Duration.ofSeconds(10), () -> lines(z, "hups") == 2);
      assertThat(z.state("hup")).isEqualTo("Running");
    }
  }

  @Test
  void statsReportsMemoryOfServiceAndChildren() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("busy", "exec: sh -c 'sleep 1000 & sleep 1000 & wait'\n").start();
      z.awaitState("busy", "Running");
      Zinit.waitFor("children", Duration.ofSeconds(10), () -> {
        try {
          return z.call("service_stats", "busy").get("children").size() == 2;
        } catch (Exception e) {
          return false;
        }
      });
      var r = z.cli("stats", "busy");
      assertThat(r.exit()).as(r.stderr()).isZero();
      assertThat(r.stdout()).contains("name: busy").containsPattern("memory_usage: [1-9]")
          .contains("children:");
    }
  }

  @Test
  void floodingServiceKeepsTheRingBoundedAndZinitResponsive() throws Exception {
    try (Zinit z = new Zinit().initArgs("-b", "50")) {
      z.service("flood", "exec: sh -c 'yes flooding-the-log-with-a-long-enough-line'\n").start();
      z.awaitState("flood", "Running");
      Zinit.waitFor("the ring to fill", Duration.ofSeconds(10), () -> {
        try {
          return z.call("stream_currentLogs").size() == 50;
        } catch (Exception e) {
          return false;
        }
      });
      for (int i = 0; i < 5; i++) {
        assertThat(z.call("stream_currentLogs").size()).isEqualTo(50);
        assertThat(z.state("flood")).isEqualTo("Running");
      }
      assertThat(z.cli("stop", "flood").exit()).isZero();
    }
  }

  @Test
  void crashingServiceShowsRestartCountAndNextAttempt() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("crash", "exec: sh -c 'exit 4'\n").start();
      z.awaitStateMatching("crash", "Error\\(Exited\\(Pid\\(\\d+\\), 4\\)\\)");
      var r = z.cli("status", "crash");
      assertThat(r.stdout()).containsPattern("restarts: [1-9]").contains("next_restart:");
    }
  }

  @Test
  void dependencyCycleIsShownInStatusAndLogInsteadOfHanging() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("chicken", "exec: sleep 1000\nafter:\n  - egg\n")
          .service("egg", "exec: sleep 1000\nafter:\n  - chicken\n")
          .start();
      z.awaitState("chicken", "Blocked");
      assertThat(z.cli("status", "chicken").stdout()).contains("dependency cycle: chicken -> egg -> chicken");
      assertThat(z.cli("log", "-s").stdout()).contains("dependency cycle");
    }
  }

  @Test
  void unknownDependencyBlocksUntilItIsMonitoredThenOneshotSuccessReleases() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("app", "exec: sleep 1000\nafter:\n  - setup\n").start();
      z.awaitState("app", "Blocked");
      assertThat(z.call("service_status", "app").get("after").get("setup").asText())
          .isEqualTo("Unknown");
      Files.writeString(z.config.resolve("setup.yaml"),
          "exec: sh -c 'sleep 0.3'\noneshot: true\n");
      assertThat(z.cli("monitor", "setup").exit()).isZero();
      z.awaitState("setup", "Success");
      z.awaitState("app", "Running");
    }
  }

  @Test
  void serviceIsSpawnedUntilItsTestPassesThenRunning() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("ready", "exec: sleep 1000\ntest: test -f " + z.file("ready-flag") + "\n")
          .start();
      z.awaitState("ready", "Spawned");
      Files.writeString(z.file("ready-flag"), "go");
      z.awaitState("ready", "Running");
    }
  }

  @Test
  void serviceGetsItsEnvironmentAndWorkingDirectory() throws Exception {
    try (Zinit z = new Zinit()) {
      Files.createDirectories(z.file("work"));
      z.service("envy", "exec: sh -c 'echo \"$GREETING $PWD\" > " + z.file("seen")
          + "; exec sleep 1000'\nenv:\n  GREETING: hello there\ndir: " + z.file("work") + "\n")
          .start();
      Zinit.waitFor("the service's note", Duration.ofSeconds(10), () -> Files.exists(z.file("seen")));
      Zinit.waitFor("the note's content", Duration.ofSeconds(10), () -> lines(z, "seen") == 1);
      assertThat(Files.readString(z.file("seen")).trim())
          .isEqualTo("hello there " + z.file("work"));
    }
  }

  private static int lines(Zinit z, String marker) {
    try {
      return Files.exists(z.file(marker)) ? Files.readAllLines(z.file(marker)).size() : 0;
    } catch (Exception e) {
      return 0;
    }
  }
}
