package zinit.supervisor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import zinit.config.LogMode;
import zinit.config.ServiceConfig;

/**
 * What {@link HealthMonitor} asks of {@link Lifecycle}: spawn an exec check (its run tracked like
 * any other of the service) and end a run found unhealthy. Runs on the lifecycle's loop.
 */
final class HealthChecks implements HealthMonitor.Host {
  private final Lifecycle lifecycle;
  private final Spawns spawns;
  private final Scheduler loop;
  private final LogSink log;

  HealthChecks(Lifecycle lifecycle, Spawns spawns, Scheduler loop, LogSink log) {
    this.lifecycle = lifecycle;
    this.spawns = spawns;
    this.loop = loop;
    this.log = log;
  }

  @Override
  public void spawnCheck(Service s, ServiceConfig c, Health h, HealthMonitor.CheckSpawned then) {
    String unit = c.name() + "/health";
    SpawnSpec spec = spawns.spec(unit, c.health().command(), c);
    h.outputEnded = CompletableFuture.completedFuture(null);
    if (c.log() == LogMode.RING) {
      // The last line the check printed explains its failure in status: the check is judged once
      // both its pipes have ended (HealthMonitor).
      var last = h.lastLine;
      CompletableFuture<Void> ended = new CompletableFuture<>();
      AtomicInteger open = new AtomicInteger(2);
      OutputSink out = new OutputSink.Lines(
          line -> {
            last.set(line);
            log.line(unit, false, line);
          },
          OutputSink.AfterRead.endingWith(() -> {
            if (open.decrementAndGet() == 0) ended.complete(null);
          }));
      h.outputEnded = ended;
      spec = new SpawnSpec(unit, spec.argv(), spec.env(), spec.dir(), out, out, spec.credentials());
    }
    h.spawning = true;
    spawns.offLoop(spec, (process, failure) -> {
      h.spawning = false;
      if (failure != null) {
        then.accept(null, failure);
        lifecycle.completeStopIfIdle(s);
        return;
      }
      Run run = new Run(process, loop.now());
      h.run = run;
      spawns.watch(run, status -> {}, () -> lifecycle.onGone(s, run));
      then.accept(run, null);
    });
  }

  @Override
  public void unhealthy(Service s, String reason) {
    if (s.run == null || !s.run.mainAlive() || s.target != Target.Up) return;
    log.zinit(s.name() + ": " + reason + "; restarting it");
    s.run.endedBecause = reason;
    lifecycle.terminate(s, s.run);
  }
}
