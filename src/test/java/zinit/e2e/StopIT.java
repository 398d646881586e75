package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 4, stop: real services through bin/zinit, with cgroups (root). */
class StopIT {
  @BeforeEach // not @BeforeAll: each test is then reported skipped, by name and with the reason
  void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  @Test
  void stopOfWellBehavedServiceReturnsAndLeavesNothing() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("nice", "exec: sh -c 'echo $$ > " + z.file("pids") + "; sleep 1000 & echo $! >> "
          + z.file("pids") + "; wait'\n").start();
      z.awaitState("nice", "Running");
      Zinit.waitFor("pids", Duration.ofSeconds(10), () -> count(z, "pids") == 2);
      List<Long> pids = z.pidsIn("pids");
      var r = z.cli("stop", "nice");
      assertThat(r.exit()).as(r.stderr()).isZero();
      assertThat(pids).noneMatch(Zinit::alive);
      assertThat(z.call("service_status", "nice").get("target").asText()).isEqualTo("Down");
    }
  }

  @Test
  void stopKillsEscapedGrandchild() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("escaper", "exec: sh -c 'setsid sh -c \"sleep 1000 & echo \\$! > " + z.file("esc")
          + "\"; exec sleep 1000'\n").start();
      z.awaitState("escaper", "Running");
      Zinit.waitFor("escapee", Duration.ofSeconds(10), () -> count(z, "esc") == 1);
      long escapee = z.pidsIn("esc").getFirst();
      assertThat(Zinit.alive(escapee)).isTrue();
      assertThat(z.cli("stop", "escaper").exit()).isZero();
      assertThat(Zinit.alive(escapee)).isFalse();
    }
  }

  @Test
  void sigtermIgnorerIsKilledAfterItsTimeoutNotBefore() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("stubborn", "exec: sh -c 'trap \"\" TERM; echo $$ > " + z.file("pid")
          + "; while true; do sleep 0.2; done'\nshutdown_timeout: 2\n").start();
      z.awaitState("stubborn", "Running");
      Zinit.waitFor("pid", Duration.ofSeconds(10), () -> count(z, "pid") == 1);
      long pid = z.pidsIn("pid").getFirst();
      Thread stopper = Thread.ofVirtual().start(() -> {
        try {
          z.call("service_stop", "stubborn");
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      // Well inside its 2 s grace period the ignorer must still be alive.
      Thread.sleep(1000);
      assertThat(Zinit.alive(pid)).as("killed before its timeout").isTrue();
      stopper.join(Duration.ofSeconds(30));
      assertThat(stopper.isAlive()).isFalse();
      assertThat(Zinit.alive(pid)).isFalse();
      assertThat(z.state("stubborn")).isEqualTo("Error(Signaled(Pid(" + pid + "), SIGKILL, false))");
      assertThat(z.call("service_status", "stubborn").toString()).contains("killed with SIGKILL");
    }
  }

  @Test
  void gracefulSlowStopperFinishesItsShutdownAndExitsZero() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("flusher", "exec: sh -c 'trap \"sleep 1.5; echo flushed > " + z.file("flushed")
          + "; exit 0\" TERM; while true; do sleep 0.1; done'\nshutdown_timeout: 10\n").start();
      z.awaitState("flusher", "Running");
      assertThat(z.cli("stop", "flusher").exit()).isZero();
      assertThat(Files.exists(z.file("flushed"))).as("flush finished before stop returned").isTrue();
      assertThat(z.state("flusher")).isEqualTo("Success");
    }
  }

  @Test
  void stopHandlersOwnChildrenAreNotSignalled() throws Exception {
    try (Zinit z = new Zinit()) {
      // Regression (found by the benchmark): children a TERM handler starts got SIGTERM too.
      z.service("handler", "exec: sh -c 'trap \"sleep 1; echo \\$? > " + z.file("rc")
          + "; exit 0\" TERM; sleep 1000 & wait'\nshutdown_timeout: 10\n").start();
      z.awaitState("handler", "Running");
      for (int i = 0; i < 3; i++) {
        Files.deleteIfExists(z.file("rc"));
        assertThat(z.cli("stop", "handler").exit()).isZero();
        assertThat(Files.readString(z.file("rc")).trim()).as("the handler's sleep").isEqualTo("0");
        assertThat(z.cli("start", "handler").exit()).isZero();
        z.awaitState("handler", "Running");
      }
    }
  }

  @Test
  void serviceThatKeepsForkingWhileStoppedLeavesNothing() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("forker", "exec: sh -c 'trap \"\" TERM; while true; do (trap \"\" TERM; echo $$ >> "
          + z.file("kids") + "; sleep 1000) & sleep 0.05; done'\nshutdown_timeout: 1\n").start();
      z.awaitState("forker", "Running");
      Zinit.waitFor("some children", Duration.ofSeconds(10), () -> count(z, "kids") > 5);
      assertThat(z.cli("stop", "forker").exit()).isZero();
      List<Long> kids = z.pidsIn("kids");
      assertThat(kids).noneMatch(Zinit::alive);
    }
  }

  @Test
  void stopOfExitedOneshotRemovesItsLeftoverDaemon() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("daemonize", "exec: sh -c 'setsid sleep 1000 > /dev/null 2>&1 < /dev/null & echo $! > "
          + z.file("daemon") + "'\noneshot: true\n").start();
      z.awaitState("daemonize", "Success");
      long daemon = z.pidsIn("daemon").getFirst();
      assertThat(Zinit.alive(daemon)).as("a oneshot's daemon lives on").isTrue();
      assertThat(z.cli("stop", "daemonize").exit()).isZero();
      assertThat(Zinit.alive(daemon)).isFalse();
    }
  }

  @Test
  void stoppedWithSigstopServiceIsStillStoppedGracefully() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("frozen", "exec: sh -c 'trap \"echo bye > " + z.file("bye")
          + "; exit 0\" TERM; echo $$ > " + z.file("pid") + "; while true; do sleep 0.1; done'\n")
          .start();
      z.awaitState("frozen", "Running");
      Zinit.waitFor("pid", Duration.ofSeconds(10), () -> count(z, "pid") == 1);
      z.call("service_kill", "frozen", "SIGSTOP");
      assertThat(z.cli("stop", "frozen").exit()).isZero();
      assertThat(Files.exists(z.file("bye"))).as("handled SIGTERM after SIGCONT").isTrue();
    }
  }

  @Test
  void exitCodesAndDeathBySignalAreReportedExactly() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("code0", "exec: sh -c 'exit 0'\noneshot: true\n")
          .service("code1", "exec: sh -c 'exit 1'\noneshot: true\n")
          .service("code255", "exec: sh -c 'exit 255'\noneshot: true\n")
          .service("segv", "exec: sh -c 'kill -SEGV $$'\noneshot: true\n")
          .start();
      z.awaitState("code0", "Success");
      z.awaitStateMatching("code1", "Error\\(Exited\\(Pid\\(\\d+\\), 1\\)\\)");
      z.awaitStateMatching("code255", "Error\\(Exited\\(Pid\\(\\d+\\), 255\\)\\)");
      z.awaitStateMatching("segv", "Error\\(Signaled\\(Pid\\(\\d+\\), SIGSEGV, false\\)\\)");
    }
  }

  @Test
  void stopDuringRestartDelayDoesNotRespawn() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("crasher", "exec: sh -c 'echo $$ >> " + z.file("runs") + "; exit 3'\n").start();
      Zinit.waitFor("first run", Duration.ofSeconds(10), () -> count(z, "runs") == 1);
      z.awaitStateMatching("crasher", "Error.*");
      // Over the socket, not the CLI: a loaded machine can take longer than the 2 s restart delay
      // to start a client JVM, and then the respawn this test looks for has legitimately happened.
      z.call("service_stop", "crasher");
      Thread.sleep(2500); // longer than the 2 s restart delay: nothing may respawn
      assertThat(count(z, "runs")).isEqualTo(1);
    }
  }

  @Test
  void restartNeverOverlapsOldAndNewInstance() throws Exception {
    try (Zinit z = new Zinit()) {
      // Each instance refuses to start while the lock file of another exists.
      String lock = z.file("lock").toString();
      z.service("single", "exec: sh -c 'if [ -e " + lock + " ]; then echo overlap >> "
          + z.file("overlap") + "; fi; touch " + lock + "; trap \"sleep 0.5; rm -f " + lock
          + "; exit 0\" TERM; echo $$ >> " + z.file("runs") + "; while true; do sleep 0.1; done'\n")
          .start();
      Zinit.waitFor("first run", Duration.ofSeconds(10), () -> count(z, "runs") == 1);
      assertThat(z.cli("restart", "single").exit()).isZero();
      Zinit.waitFor("second run", Duration.ofSeconds(10), () -> count(z, "runs") == 2);
      assertThat(Files.exists(z.file("overlap"))).isFalse();
    }
  }

  @Test
  void withoutCgroupsStopStillHandlesPlainAndProcessGroupChildren() throws Exception {
    try (Zinit z = new Zinit().initArgs("--no-cgroups")) {
      z.service("plain", "exec: sh -c 'sleep 1000 & echo $! > " + z.file("kid")
          + "; echo $$ >> " + z.file("kid") + "; wait'\n").start();
      Zinit.waitFor("pids", Duration.ofSeconds(10), () -> count(z, "kid") == 2);
      List<Long> pids = z.pidsIn("kid");
      assertThat(z.cli("stop", "plain").exit()).isZero();
      assertThat(pids).noneMatch(Zinit::alive);
    }
  }

  static long count(Zinit z, String marker) {
    try {
      return z.pidsIn(marker).size();
    } catch (Exception e) {
      return 0;
    }
  }
}
