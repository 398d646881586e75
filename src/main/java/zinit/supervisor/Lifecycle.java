package zinit.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import zinit.config.LogMode;
import zinit.config.ServiceConfig;
import zinit.config.Signal;

/**
 * The state machine of every service. Confined to the scheduler's loop: every method runs there,
 * and events from other threads (exits, empty units, finished spawns) are posted to it. Nothing
 * here blocks: spawns run on the spawner's threads, several at once.
 */
final class Lifecycle {
  static final Duration TEST_INTERVAL = Duration.ofSeconds(2);
  static final Duration KILL_GRACE = Terminator.KILL_GRACE;

  final Map<String, Service> services = new TreeMap<>();
  private final ProcessHost host;
  private final Scheduler loop;
  private final LogSink log;
  private final ConfigSource configs;
  private final Backoff backoff;
  private final Terminator terminator;
  private final Executor spawner;
  boolean shuttingDown;
  private int spawnsInFlight;
  private final List<CompletableFuture<Void>> settledWaiters = new ArrayList<>();
  private boolean reconciling;
  private boolean reconcileAgain;

  Lifecycle(
      ProcessHost host,
      Scheduler loop,
      LogSink log,
      ConfigSource configs,
      Backoff backoff,
      Executor signaller,
      Executor spawner) {
    this.terminator = new Terminator(loop, signaller, log);
    this.spawner = spawner;
    this.host = host;
    this.loop = loop;
    this.log = log;
    this.configs = configs;
    this.backoff = backoff;
  }

  void add(ServiceConfig config) {
    addAll(java.util.List.of(config));
  }

  /** Adds a set at once, so a dependency later in the set is not reported as unmonitored. */
  void addAll(Iterable<ServiceConfig> configs) {
    for (ServiceConfig config : configs) {
      Service s = new Service(config);
      s.pendingStart = true;
      services.put(config.name(), s);
    }
    reconcile();
  }

  /**
   * Spawns every service that wants to run and whose dependencies are met, to a fixpoint. A call
   * made while one runs (a spawner that finishes at once, as in tests) makes that one go round
   * again instead of nesting.
   */
  void reconcile() {
    if (reconciling) {
      reconcileAgain = true;
      return;
    }
    reconciling = true;
    try {
      boolean changed = true;
      while (changed) {
        changed = reconcileAgain;
        reconcileAgain = false;
        for (Service s : services.values()) {
          if (shuttingDown || s.target != Target.Up || !s.pendingStart) continue;
          if (s.run != null || s.stopping != null || s.spawning) continue;
          Optional<String> unmet = Dependencies.firstUnmet(s, services);
          if (unmet.isPresent()) {
            block(s, unmet.get());
            continue;
          }
          spawn(s);
          changed = true;
        }
      }
    } finally {
      reconciling = false;
    }
  }

  /** Completes (on the loop) once no spawn is in flight: what was started has a process or failed. */
  CompletableFuture<Void> spawnsSettled() {
    if (spawnsInFlight == 0) return CompletableFuture.completedFuture(null);
    CompletableFuture<Void> settled = new CompletableFuture<>();
    settledWaiters.add(settled);
    return settled;
  }

  private void block(Service s, String dependency) {
    String detail =
        Dependencies.cycleThrough(s.name(), services)
            .map(c -> "dependency cycle: " + c)
            .orElse(
                services.containsKey(dependency)
                    ? "waiting for '" + dependency + "'"
                    : "waiting for '" + dependency + "', which is not monitored (zinit monitor " + dependency + ")");
    if (s.state != State.Blocked || !detail.equals(s.detail)) {
      s.state = State.Blocked;
      s.detail = detail;
      // Only what will not resolve by itself is logged; a dependency still starting is normal.
      if (detail.startsWith("dependency cycle") || !services.containsKey(dependency)) log.zinit(s.name() + ": " + detail);
    }
  }

  /**
   * Hands the spawn to the spawner (posix_spawn waits for the child's exec; a boot spawns many
   * services at once); the result comes back to the loop in {@link #spawned}. Meanwhile the
   * service counts as having processes, so it is neither spawned twice nor forgotten, and a stop
   * waits for what the spawn brings.
   */
  private void spawn(Service s) {
    s.pendingStart = false;
    s.spawning = true;
    if (s.state == State.Blocked) {
      s.state = State.Unknown;
      s.detail = null;
    }
    spawnsInFlight++;
    ServiceConfig c = s.config;
    StartMarked output =
        c.log() == LogMode.RING || c.log() == LogMode.FILE ? new StartMarked(log.output(c)) : null;
    SpawnSpec spec = spec(c.name(), c.exec(), c, output);
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
            if (process != null) markStarted(c, process.pid(), output);
            ServiceProcess p = process;
            SpawnException f = failure;
            loop.execute(() -> spawned(s, p, f));
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      spawned(s, null, new SpawnException("spawner is shut down", e));
    }
  }

  /** The start mark, before the instance's output when zinit reads it (see {@link StartMarked}). */
  private void markStarted(ServiceConfig c, int pid, StartMarked output) {
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

  private void spawned(Service s, ServiceProcess process, SpawnException failure) {
    s.spawning = false;
    // A stop can only be pending here if it came while the spawn was in flight: reconcile spawns
    // nothing while one is.
    boolean stopRequested = s.stopping != null;
    ServiceConfig c = s.config;
    if (failure != null) {
      s.state = State.Failure;
      s.detail = failure.getMessage();
      if (failure.retryable() && s.target == Target.Up && !stopRequested && !shuttingDown) {
        // out of fds, processes or memory: likely to pass, so retried like a crash
        s.crashes++;
        Duration delay = backoff.delay(s.crashes);
        s.detail = failure.getMessage() + "; retrying in " + delay.toMillis() + " ms";
        scheduleRestart(s, delay);
      }
      log.zinit(c.name() + ": failed to spawn: " + s.detail);
      completeStopIfIdle(s);
    } else {
      Run run = new Run(process, loop.now());
      s.run = run;
      s.detail = null;
      // As the original: a oneshot is Running while it runs; a service with a test is Spawned
      // until its test passes.
      s.state = !c.oneshot() && !c.test().isEmpty() ? State.Spawned : State.Running;
      watch(run, status -> onExit(s, run, status), () -> onGone(s, run));
      // A stop that came while the spawn was in flight ends what it brought, as it would have
      // ended a run spawned just before it.
      if (stopRequested || shuttingDown) terminate(s, run);
      else if (!c.oneshot() && !c.test().isEmpty()) runTest(s);
    }
    if (--spawnsInFlight == 0 && !settledWaiters.isEmpty()) {
      List<CompletableFuture<Void>> waiters = List.copyOf(settledWaiters);
      settledWaiters.clear();
      for (CompletableFuture<Void> w : waiters) w.complete(null);
    }
    reconcile();
  }

  private void completeStopIfIdle(Service s) {
    if (s.stopping != null && !s.hasProcesses()) {
      CompletableFuture<Void> stopping = s.stopping;
      s.stopping = null;
      stopping.complete(null);
    }
  }

  private SpawnSpec spec(String unit, List<String> argv, ServiceConfig c) {
    return spec(unit, argv, c, c.log() == LogMode.RING || c.log() == LogMode.FILE ? log.output(c) : null);
  }

  /** {@code output}: where zinit writes what it reads from the unit's pipes; null when it reads none. */
  private SpawnSpec spec(String unit, List<String> argv, ServiceConfig c, LogSink.Output output) {
    OutputSink out =
        switch (c.log()) {
          case RING, FILE -> new OutputSink.Lines(line -> output.line(unit, false, line), output::flush);
          case STDOUT -> new OutputSink.Inherit();
          case NULL -> new OutputSink.Discard();
        };
    OutputSink err =
        switch (c.log()) {
          case RING, FILE -> new OutputSink.Lines(line -> output.line(unit, true, line), output::flush);
          case STDOUT, NULL -> out;
        };
    return new SpawnSpec(unit, argv, configs.environment(c), c.dir(), out, err);
  }

  /** Posts the run's exit and its end (main reaped and unit empty) to the loop. */
  private void watch(Run run, Consumer<ExitStatus> onExit, Runnable onGone) {
    run.process.onTrackingNote(line -> loop.execute(() -> log.zinit(line)));
    run.process.exit().thenAccept(status -> loop.execute(() -> onExit.accept(status)));
    CompletableFuture.allOf(run.process.exit(), run.process.empty())
        .whenComplete((ok, failure) -> loop.execute(onGone));
  }

  private void onExit(Service s, Run run, ExitStatus status) {
    run.exit = status;
    if (s.run != run) return;
    s.lastPid = run.process.pid();
    s.lastExit = status;
    s.state = status.success() ? State.Success : State.Error;
    if (run.killed) s.detail = "killed with SIGKILL after shutdown_timeout " + timeout(s);
    if (s.testRun != null) terminate(s, s.testRun);
    cancel(s.testTimer);
    s.testTimer = null;
    if (s.config.oneshot() || s.target == Target.Down || shuttingDown) {
      log.mark(s.config, "exited (" + describe(status) + "), not restarted");
      // A oneshot's leftovers (daemons it started) live on until the service is stopped.
      reconcile();
      return;
    }
    // systemd's KillMode=control-group: what the crashed main left behind goes before a restart.
    terminate(s, run);
    Duration ran = Duration.between(run.started, loop.now());
    s.crashes = backoff.healthy(ran) ? 1 : s.crashes + 1;
    Duration delay = backoff.delay(s.crashes);
    log.mark(s.config, "exited (" + describe(status) + "), restarting in " + delay.toMillis() + " ms");
    scheduleRestart(s, delay);
    reconcile();
  }

  private void scheduleRestart(Service s, Duration delay) {
    s.restarts++;
    s.nextRestart = loop.now().plus(delay);
    s.restartTimer =
        loop.schedule(
            delay,
            () -> {
              s.restartTimer = null;
              s.nextRestart = null;
              if (s.target != Target.Up) return;
              s.pendingStart = true;
              reconcile();
            });
  }

  private void onGone(Service s, Run run) {
    cancel(run.killTimer);
    if (s.run == run) s.run = null;
    if (s.testRun == run) s.testRun = null;
    run.gone.complete(null);
    completeStopIfIdle(s);
    // After the reply is on its way: every process is gone; the cgroup's rmdir need not delay it.
    run.process.close();
    reconcile();
  }

  private void runTest(Service s) {
    s.testTimer = null;
    if (s.run == null || !s.run.mainAlive() || s.state != State.Spawned || s.testRun != null) {
      return;
    }
    ServiceConfig c = s.config;
    Run test;
    try {
      test = new Run(host.spawn(spec(c.name() + "/test", c.test(), c)), loop.now());
    } catch (SpawnException e) {
      s.state = State.TestFailure;
      s.detail = "test: " + e.getMessage();
      log.zinit(c.name() + ": failed to spawn test: " + e.getMessage());
      return;
    }
    s.testRun = test;
    watch(test, status -> onTestExit(s, test, status), () -> onGone(s, test));
  }

  private void onTestExit(Service s, Run test, ExitStatus status) {
    test.exit = status;
    if (s.testRun != test || s.run == null || !s.run.mainAlive() || s.state != State.Spawned) {
      return;
    }
    if (status.success()) {
      s.state = State.Running;
      reconcile();
    } else if (s.target == Target.Up) {
      s.testTimer = loop.schedule(TEST_INTERVAL, () -> runTest(s));
    }
  }

  void terminate(Service s, Run run) {
    terminator.terminate(s, run);
  }

  /** Target Down, timers off, every process of the service terminated; completes when gone. */
  CompletableFuture<Void> stop(Service s) {
    s.target = Target.Down;
    s.pendingStart = false;
    cancel(s.restartTimer);
    s.restartTimer = null;
    s.nextRestart = null;
    cancel(s.testTimer);
    s.testTimer = null;
    if (s.state == State.Blocked) s.state = State.Unknown;
    if (!s.hasProcesses()) return CompletableFuture.completedFuture(null);
    if (s.stopping == null) s.stopping = new CompletableFuture<>();
    CompletableFuture<Void> stopping = s.stopping;
    if (s.run != null) terminate(s, s.run);
    if (s.testRun != null) terminate(s, s.testRun);
    return stopping;
  }

  /** Target Up; spawn again unless the main process is alive. */
  void start(Service s) {
    s.target = Target.Up;
    s.crashes = 0;
    s.restarts = 0;
    if (s.spawning || (s.run != null && s.run.mainAlive())) return;
    cancel(s.restartTimer);
    s.restartTimer = null;
    s.nextRestart = null;
    s.pendingStart = true;
    // A finished oneshot's leftovers go before it runs again, as a restart would do.
    if (s.run != null) terminate(s, s.run);
    if (s.state != State.Blocked) s.state = State.Unknown;
    reconcile();
  }

  /** Target Down for every service, timers off; then {@link ShutdownOrder} stops them. */
  CompletableFuture<Void> stopAll() {
    shuttingDown = true;
    for (Service s : services.values()) {
      s.target = Target.Down;
      s.pendingStart = false;
      cancel(s.restartTimer);
      cancel(s.testTimer);
      s.restartTimer = s.testTimer = null;
      s.nextRestart = null;
    }
    return new ShutdownOrder(services, this::stop, loop, log).start();
  }

  private static void cancel(Scheduler.Cancellable c) {
    if (c != null) c.cancel();
  }

  private static String timeout(Service s) {
    return s.config.shutdownTimeout().toMillis() + " ms";
  }

  static String describe(ExitStatus status) {
    return switch (status) {
      case ExitStatus.Exited(int code) -> "exit code " + code;
      case ExitStatus.Killed(int sig) ->
          "killed by " + Signal.ofNumber(sig).map(Enum::name).orElse("signal " + sig);
    };
  }
}
