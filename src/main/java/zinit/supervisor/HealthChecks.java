package zinit.supervisor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import zinit.config.LogMode;
import zinit.config.ServiceConfig;
import zinit.logs.LineBatch;

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
    h.outputEnded = CompletableFuture.completedFuture(null);
    LogSink.Output output = null;
    if (c.log() == LogMode.RING || c.log() == LogMode.FILE) {
      // Where the service's own output goes (the ring, and its file with log: file), stderr as
      // stderr, a read's lines as one batch; and the last line the check printed, which explains
      // its failure in status: the check is judged once both its pipes have ended (HealthMonitor).
      CompletableFuture<Void> ended = new CompletableFuture<>();
      output = new LastLine(log.output(c), h.lastLine, ended);
      h.outputEnded = ended;
    }
    SpawnSpec spec = spawns.spec(unit, c.health().command(), c, output);
    h.spawning = true;
    spawns.offLoop(spec, (process, failure) -> {
      h.spawning = false;
      if (failure != null) {
        then.accept(null, failure);
        lifecycle.completeStopIfIdle(s);
        return;
      }
      Run run = new Run(process, loop);
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

  /** A check's output on its way to the service's destination, keeping its last line. */
  private static final class LastLine implements LogSink.Output {
    private final LogSink.Output to;
    private final AtomicReference<String> last;
    private final CompletableFuture<Void> ended;
    private final AtomicInteger open = new AtomicInteger(2);

    LastLine(LogSink.Output to, AtomicReference<String> last, CompletableFuture<Void> ended) {
      this.to = to;
      this.last = last;
      this.ended = ended;
    }

    @Override
    public void line(String unit, boolean stderr, String text) {
      last.set(text);
      to.line(unit, stderr, text);
    }

    @Override
    public void lines(String unit, boolean stderr, LineBatch batch) {
      if (batch.count() > 0) last.set(batch.text(batch.count() - 1)); // one String a read, not a line
      to.lines(unit, stderr, batch);
    }

    @Override
    public boolean flush(Runnable resume) {
      return to.flush(resume);
    }

    @Override
    public void ended(boolean stderr) {
      to.ended(stderr);
      if (open.decrementAndGet() == 0) ended.complete(null);
    }
  }
}
