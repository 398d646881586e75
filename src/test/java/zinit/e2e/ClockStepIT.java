package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The wall clock steps while zinit runs: NTP or an RTC that was wrong corrects it at boot, an
 * operator runs `date -s`. Grace periods, start limits and health start periods are lengths of
 * time and must not stretch or shrink with it. The step is zinit's alone: a small LD_PRELOAD shim
 * (clockshift.c, built here with cc) adds an offset read from a file to CLOCK_REALTIME, so the
 * host's clock is never touched. Monotonic clocks are left as they are, as a real step leaves them.
 */
class ClockStepIT {
  /** How far the clock is set back: far more than any wait of these tests. */
  private static final long STEP_BACK_SECONDS = -3600;

  @Test
  @Timeout(180)
  void aStopStillKillsAfterShutdownTimeoutWhenTheWallClockIsSetBackMeanwhile() throws Exception {
    try (Zinit z = new Zinit()) {
      Path shift = shifted(z);
      // two processes that ignore SIGTERM (the ignore is inherited): the stop must SIGKILL them
      // once shutdown_timeout has passed
      z.service("stubborn", "exec: sh -c 'trap \"\" TERM; echo $$ > " + z.file("pids") + "; sleep 1000 & echo $! >> "
              + z.file("pids") + "; wait'\nshutdown_timeout: 2\n")
          .start();
      z.awaitState("stubborn", "Running");
      Zinit.waitFor("both pids", Duration.ofSeconds(30), () -> pids(z) == 2);

      CompletableFuture<JsonNode> stop = CompletableFuture.supplyAsync(() -> {
        try {
          return z.rpc("service_stop", "stubborn");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Thread.sleep(500); // the stop signal is out, the 2 s grace is running
      Files.writeString(shift, Long.toString(STEP_BACK_SECONDS));
      JsonNode reply;
      try {
        // the grace is 2 s; before the fix the SIGKILL waited for the wall clock to catch up (an hour)
        reply = stop.get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("the stop did not end within 60 s of a 2 s shutdown_timeout after the wall clock was set back"
            + " an hour\n" + z.output());
      }
      assertThat(reply.has("error")).as(reply.toString()).isFalse();
      for (long pid : z.pidsIn("pids")) assertThat(Zinit.alive(pid)).as("pid %d", pid).isFalse();
      assertThat(z.output()).contains("stubborn: still running 2000 ms after SIGTERM, sending SIGKILL");
    }
  }

  /**
   * A start limit's window, a health check's start period and a run's uptime are lengths of time:
   * a clock set back an hour must not make starts 2 s apart count as one burst, hold off a failing
   * check for an hour, or show a negative uptime.
   */
  @Test
  @Timeout(180)
  void startLimitsHealthStartPeriodsAndUptimeDoNotFollowTheWallClockBack() throws Exception {
    try (Zinit z = new Zinit()) {
      Path shift = shifted(z);
      // starts at least 2 s apart never exceed one start within 1 s
      z.service("crashy", "exec: sh -c 'exit 1'\nrestart_delay: 2\nrestart_delay_max: 2\n"
              + "start_limit: {burst: 1, interval: 1}\n")
          // failures count once 3 s have passed since Running; one failure ends the run
          .service("unwell", "exec: sleep 1000\nhealth:\n  exec: sh -c 'exit 3'\n  interval: 1\n  retries: 1\n  start_period: 3\n")
          .service("steady", "exec: sleep 1000\n")
          .start();
      z.awaitState("steady", "Running");
      z.awaitState("unwell", "Running");
      Zinit.waitFor("crashy's first crash", Duration.ofSeconds(30), () -> restarts(z, "crashy") >= 1);
      Files.writeString(shift, Long.toString(STEP_BACK_SECONDS));

      // three more starts, each 2 s after the last crash: none is over the limit
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (restarts(z, "crashy") < 4) {
        JsonNode st = z.call("service_status", "crashy");
        assertThat(st.path("detail").asText()).as(st.toString()).doesNotContain("start limit");
        assertThat(System.nanoTime()).as("crashy restarted 4 times within 60 s; " + st).isLessThan(end);
        Thread.sleep(100);
      }
      // the start period ended ~3 s after Running, on any clock: the failing check counts
      Zinit.waitFor("unwell's check to count (start_period 3 s)", Duration.ofSeconds(60),
          () -> z.output().contains("unwell: health check failed (1/1)"));
      JsonNode steady = z.call("service_status", "steady");
      assertThat(steady.path("uptime").asLong(-1)).as(steady.toString()).isNotNegative();
    }
  }

  private static int restarts(Zinit z, String service) {
    try {
      return z.call("service_status", service).path("restarts").asInt();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int pids(Zinit z) {
    try {
      return z.pidsIn("pids").size();
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Builds the shim into the run's dir and has zinit started under it; returns the offset file
   * (seconds added to CLOCK_REALTIME, 0 for now).
   */
  static Path shifted(Zinit z) throws IOException, InterruptedException {
    Path cc = Path.of("/usr/bin/cc");
    assumeTrue(Files.isExecutable(cc), "needs a C compiler (/usr/bin/cc) to build the clock shim");
    Path source = z.file("clockshift.c");
    try (InputStream in = ClockStepIT.class.getResourceAsStream("clockshift.c")) {
      Files.copy(in, source);
    }
    Path lib = z.file("clockshift.so");
    Process p = new ProcessBuilder(cc.toString(), "-O2", "-shared", "-fPIC", "-o", lib.toString(), source.toString(), "-ldl")
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as("cc: " + out).isTrue();
    Path shift = z.file("clock-offset");
    Files.writeString(shift, "0");
    z.wrappedIn("env", "LD_PRELOAD=" + lib, "CLOCKSHIFT_FILE=" + shift);
    return shift;
  }
}
