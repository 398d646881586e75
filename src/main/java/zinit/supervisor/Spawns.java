package zinit.supervisor;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import zinit.config.LogMode;
import zinit.config.ServiceConfig;

/**
 * How {@link Lifecycle} spawns off its loop: the spawn specs of a service, its test and its health
 * check; the spawn itself on the spawner's threads with the result posted back to the loop; the
 * start mark; and the watch that posts a run's exit and end to the loop. Holds no service state.
 */
final class Spawns {
  private final ProcessHost host;
  private final Scheduler loop;
  private final LogSink log;
  private final ConfigSource configs;
  private final Executor spawner;

  Spawns(ProcessHost host, Scheduler loop, LogSink log, ConfigSource configs, Executor spawner) {
    this.host = host;
    this.loop = loop;
    this.log = log;
    this.configs = configs;
    this.spawner = spawner;
  }

  /** What a spawn off the loop brings back to it: a process, or the failure. */
  interface SpawnResult {
    void accept(ServiceProcess process, SpawnException failure);
  }

  /** Spawns on the spawner's threads; {@code then} runs on the loop with the result. */
  void offLoop(SpawnSpec spec, SpawnResult then) {
    offLoop(spec, p -> {}, then);
  }

  /**
   * {@code started} runs on the spawner's thread as soon as the process exists (the start mark,
   * before any of its output); {@code then} on the loop.
   */
  void offLoop(SpawnSpec spec, Consumer<ServiceProcess> started, SpawnResult then) {
    try {
      spawner.execute(
          () -> {
            ServiceProcess process = null;
            SpawnException failure = null;
            try {
              process = host.spawn(spec);
            } catch (SpawnException e) {
              failure = e;
            } catch (RuntimeException e) {
              failure = new SpawnException(e.toString(), e);
            }
            if (process != null) started.accept(process);
            ServiceProcess p = process;
            SpawnException f = failure;
            loop.execute(() -> then.accept(p, f));
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      then.accept(null, new SpawnException("spawner is shut down", e));
    }
  }

  /** The start mark, before the instance's output when zinit reads it (see {@link StartMarked}). */
  void markStarted(ServiceConfig c, int pid, StartMarked output) {
    Runnable mark =
        () -> {
          try {
            log.mark(c, "started, pid " + pid);
          } catch (RuntimeException e) {
            log.zinit(c.name() + ": could not log its start: " + e);
          }
        };
    if (output != null) output.started(mark);
    else mark.run();
  }

  SpawnSpec spec(String unit, List<String> argv, ServiceConfig c) {
    return spec(unit, argv, c, c.log() == LogMode.RING || c.log() == LogMode.FILE ? log.output(c) : null);
  }

  /** {@code output}: where zinit writes what it reads from the unit's pipes; null when it reads none. */
  SpawnSpec spec(String unit, List<String> argv, ServiceConfig c, LogSink.Output output) {
    OutputSink out =
        switch (c.log()) {
          case RING, FILE -> new OutputSink.LineBatches(batch -> output.lines(unit, false, batch), afterRead(output, false));
          case STDOUT -> new OutputSink.Inherit();
          case NULL -> new OutputSink.Discard();
        };
    OutputSink err =
        switch (c.log()) {
          case RING, FILE -> new OutputSink.LineBatches(batch -> output.lines(unit, true, batch), afterRead(output, true));
          case STDOUT, NULL -> out;
        };
    SpawnSpec.Credentials who =
        c.identity() == null
            ? null
            : new SpawnSpec.Credentials(c.identity().uid(), c.identity().gid(), c.identity().groups());
    return new SpawnSpec(unit, argv, configs.environment(c), c.dir(), out, err, who);
  }

  private static OutputSink.AfterRead afterRead(LogSink.Output output, boolean stderr) {
    return new OutputSink.AfterRead() {
      @Override
      public boolean afterRead(Runnable resume) {
        return output.flush(resume);
      }

      @Override
      public void ended() {
        output.ended(stderr);
      }
    };
  }

  /** Posts the run's exit and its end (main reaped and unit empty) to the loop. */
  void watch(Run run, Consumer<ExitStatus> onExit, Runnable onGone) {
    run.process.onTrackingNote(line -> loop.execute(() -> log.zinit(line)));
    // onGone is posted only after onExit: the loop handles a run's exit before its end. Both run
    // on the thread that saw the exit (the reaper's, holding no lock) when the loop is idle: a
    // stop's reply then needs no hand-off to the loop's thread.
    run.process
        .exit()
        .whenComplete(
            (status, failure) -> {
              if (failure == null) loop.executeHere(() -> onExit.accept(status));
              run.process.empty().whenComplete((ok, notEmpty) -> loop.executeHere(onGone));
            });
  }
}
