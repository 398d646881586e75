package zinit.supervisor;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import zinit.config.HealthCheck;
import zinit.config.ServiceConfig;

/**
 * Runs a Running service's liveness check every {@code interval}: one at a time (the next is
 * scheduled when the previous ends), off the loop (exec checks are spawned like the service, in
 * their own cgroup, and killed when they overrun; network checks go to {@link Probes}). After
 * {@code retries} consecutive failures outside the start period it asks the lifecycle to restart
 * the service, whose restart policy then applies.
 */
final class HealthMonitor {
  /**
   * How long after a process is gone (or a service's main process exited) zinit first looks
   * whether its pipes, still held open by another process, hold output it has not read; then
   * again as often (Lifecycle.afterOutputRead).
   */
  static final Duration OUTPUT_GRACE = Duration.ofMillis(100);

  /** What the monitor needs from the lifecycle. */
  interface Host {
    /**
     * Spawns an exec check off the loop; {@code then} runs on the loop with its run (whose end
     * the lifecycle tracks like any other) or the failure.
     */
    void spawnCheck(Service s, ServiceConfig c, Health h, CheckSpawned then);

    /** The check failed {@code retries} times: end the run so the restart policy applies. */
    void unhealthy(Service s, String reason);
  }

  interface CheckSpawned {
    void accept(Run run, SpawnException failure);
  }

  private final Scheduler loop;
  private final LogSink log;
  private final Probes probes;
  private final Host host;

  HealthMonitor(Scheduler loop, LogSink log, Probes probes, Host host) {
    this.loop = loop;
    this.log = log;
    this.probes = probes;
    this.host = host;
  }

  /** The service became Running: checks begin after one interval. */
  void started(Service s) {
    HealthCheck check = s.config.health();
    if (check == null) return;
    stop(s);
    Health old = s.health;
    s.health = new Health();
    s.health.runningSince = loop.nanoTime();
    if (old != null) {
      s.health.previous = old.failures > 0 ? old.display(check.retries()) : old.passed ? null : old.previous;
    }
    schedule(s, check.interval());
  }

  /** No more checks for this run; an exec check in flight is killed. */
  void stop(Service s) {
    Health h = s.health;
    if (h == null) return;
    h.round++;
    if (h.timer != null) h.timer.cancel();
    if (h.timeout != null) h.timeout.cancel();
    h.timer = h.timeout = null;
    h.checking = false;
    if (h.run != null && !h.run.gone.isDone()) h.run.process.killAll(); // what it left behind too
  }

  private void schedule(Service s, Duration delay) {
    Health h = s.health;
    int round = h.round;
    h.timer = loop.schedule(delay, () -> {
      if (s.health == h && h.round == round) check(s, h);
    });
  }

  private void check(Service s, Health h) {
    h.timer = null;
    if (h.checking || s.state != State.Running) return;
    h.checking = true;
    int round = h.round;
    HealthCheck c = s.config.health();
    switch (c.kind()) {
      case EXEC -> {
        h.lastLine = new java.util.concurrent.atomic.AtomicReference<>();
        h.spawning = true;
        host.spawnCheck(s, s.config, h, (run, failure) -> execSpawned(s, h, round, run, failure));
      }
      case HTTP -> bounded(probes.http(c.target(), c.timeout()), c.timeout())
          .whenComplete((why, e) -> loop.execute(() -> done(s, h, round, e != null ? e.toString() : why, null)));
      case TCP -> bounded(probes.tcp(c.target(), c.timeout()), c.timeout())
          .whenComplete((why, e) -> loop.execute(() -> done(s, h, round, e != null ? e.toString() : why, null)));
    }
  }

  /**
   * A network check that has not ended a second past its timeout (a name lookup, which no socket
   * timeout bounds, or a client that waits on) fails as timed out, so checks go on.
   */
  private static CompletableFuture<String> bounded(CompletableFuture<String> probe, Duration timeout) {
    return probe.completeOnTimeout(
        "timed out after " + Lifecycle.seconds(timeout), timeout.plusSeconds(1).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private void execSpawned(Service s, Health h, int round, Run run, SpawnException failure) {
    if (failure != null) {
      done(s, h, round, "cannot run the check: " + failure.getMessage(), null);
      return;
    }
    Duration timeout = s.config.health().timeout();
    if (h.round != round) run.process.killAll(); // stopped while it was being spawned
    else h.timeout = loop.schedule(timeout, () -> {
      if (run.mainAlive()) {
        run.process.killAll();
        done(s, h, round, "timed out after " + Lifecycle.seconds(timeout), null);
      } else if (!run.gone.isDone()) {
        run.process.killAll(); // it ended but left processes behind: the check is judged once they are gone
      }
    });
    var line = h.lastLine;
    run.process.exit().thenAccept(status -> loop.execute(() -> run.exit = status));
    CompletableFuture<Void> outputEnded = h.outputEnded;
    run.gone.thenRun(() -> {
      if (h.timeout != null) h.timeout.cancel();
      h.timeout = null;
      ExitStatus status = run.process.exit().getNow(null); // complete: gone includes the exit
      boolean[] judged = {false}; // loop thread only: a check is judged once, by whichever comes first
      Runnable judge = () -> {
        if (judged[0]) return;
        judged[0] = true;
        if (status != null && status.success()) done(s, h, round, null, null);
        else done(s, h, round, status == null ? "no exit status" : status.describe(), line);
      };
      // Its last lines are read on the I/O thread, maybe after it is gone: judged once its output
      // has ended, or once its pipes hold nothing unread (a process outside its unit may hold
      // them open; Lifecycle.afterOutputRead).
      if (outputEnded == null || outputEnded.isDone()) {
        judge.run();
        return;
      }
      Lifecycle.afterOutputRead(loop, run.process, () -> loop.execute(judge));
      outputEnded.thenRun(() -> loop.execute(judge));
    });
  }

  /** One check's result; {@code failure} is null when it passed. */
  private void done(
      Service s, Health h, int round, String failure, java.util.concurrent.atomic.AtomicReference<String> line) {
    if (s.health != h || h.round != round || !h.checking) return;
    h.checking = false;
    HealthCheck c = s.config.health();
    if (failure == null) {
      if (h.failures > 0) log.zinit(s.name() + ": health check passes again");
      h.failures = 0;
      h.lastFailure = null;
      h.passed = true;
    } else if (!h.passed && loop.nanoTime() - h.runningSince < c.startPeriod().toNanos()) {
      h.lastFailure = null; // within start_period: does not count
    } else {
      h.failures++;
      h.lastFailure = failure;
      h.failureLine = line;
      String why = failure + (line == null || line.get() == null ? "" : ": " + line.get());
      log.zinit(s.name() + ": health check failed (" + h.failures + "/" + c.retries() + "): " + why);
      if (h.failures >= c.retries()) {
        h.round++;
        host.unhealthy(s, "health check failed " + h.failures + " times: " + why);
        return;
      }
    }
    schedule(s, c.interval());
  }
}
