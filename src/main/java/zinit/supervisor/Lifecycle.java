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
import zinit.config.RestartPolicy;
import zinit.config.ServiceConfig;

/**
 * The state machine of every service. Confined to the scheduler's loop: every method runs there,
 * and events from other threads (exits, empty units, finished spawns) are posted to it. Nothing
 * here blocks: spawns (of services and of their tests) run on the spawner's threads, several at
 * once. Every state change goes through {@link #move}, which checks it against {@link
 * Transitions}; every timer of a service is cancelled in {@link #cancelTimers}. Helpers that hold
 * no state of their own: {@link Spawns} (specs, off-loop spawns, watches), {@link Restarts} (crash
 * count, delay, timer), {@link TestRuns} (the test command), {@link HealthChecks} (the health
 * monitor's host) and {@link Limits} (resource-limit warnings, OOM kills).
 */
final class Lifecycle implements Terminator.Events {
  static final Duration TEST_INTERVAL = Duration.ofSeconds(2);
  static final Duration KILL_GRACE = Terminator.KILL_GRACE;

  final Map<String, Service> services = new TreeMap<>();
  /**
   * Every service whose {@code pendingStart} is set (and some whose flag was cleared since), by
   * name: {@link #reconcile} looks at these, not at every service, on each exit and start.
   */
  private final Map<String, Service> pending = new TreeMap<>();
  private final Scheduler loop;
  private final LogSink log;
  private final Restarts restarts;
  private final TestRuns tests;
  private final Limits limits;
  private final Terminator terminator;
  /** Where a shutdown's units are closed (see {@link #onGone}); the signallers, idle by then. */
  private final Executor closer;
  /** A shutdown's closes under way: it ends only once each unit's cgroup is removed. */
  private final List<CompletableFuture<Void>> closes = new ArrayList<>();
  private final Spawns spawns;
  private final HealthMonitor health;
  boolean shuttingDown;
  private int spawnsInFlight;
  /** Container mode's main service, or null; see {@link #watchMain}. */
  private String mainService;
  private Consumer<ExitStatus> mainEnded;
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
    this(host, loop, log, configs, backoff, signaller, spawner, Probes.NONE);
  }

  Lifecycle(
      ProcessHost host,
      Scheduler loop,
      LogSink log,
      ConfigSource configs,
      Backoff backoff,
      Executor signaller,
      Executor spawner,
      Probes probes) {
    this.spawns = new Spawns(host, loop, log, configs, spawner);
    this.health = new HealthMonitor(loop, log, probes, new HealthChecks(this, spawns, loop, log));
    this.terminator = new Terminator(loop, signaller, log, this);
    this.closer = signaller;
    this.loop = loop;
    this.log = log;
    this.restarts =
        new Restarts(
            loop,
            backoff,
            s -> {
              markPending(s);
              reconcile();
            });
    this.limits = new Limits(host, log);
    this.tests = new TestRuns(this, spawns, loop, log);
  }

  void add(ServiceConfig config) {
    addAll(java.util.List.of(config));
  }

  /** Adds a set at once, so a dependency later in the set is not reported as unmonitored. */
  void addAll(Iterable<ServiceConfig> configs) {
    for (ServiceConfig config : configs) {
      Service s = new Service(config);
      services.put(config.name(), s);
      markPending(s);
    }
    reconcile();
  }

  /**
   * A reload's new config for a service that has no process left: a fresh service in its place,
   * started when its target was Up (a stopped service stays stopped, with the new config).
   */
  void replace(Service old, ServiceConfig config, Target target) {
    Service s = new Service(config);
    s.target = target;
    services.put(config.name(), s);
    if (target == Target.Up) markPending(s);
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
        if (pending.isEmpty()) break;
        // In name order, as before; a copy, since a spawn takes its service off the list.
        Dependencies.Cycles cycles = new Dependencies.Cycles(services); // the graph is fixed meanwhile
        for (Service s : pending.values().toArray(Service[]::new)) {
          if (services.get(s.name()) != s || !s.pendingStart) {
            pending.remove(s.name(), s); // started, stopped, replaced or forgotten since
            continue;
          }
          if (shuttingDown || s.target != Target.Up) continue;
          if (s.run != null || s.stopping != null || s.spawning) continue;
          Optional<String> unmet = Dependencies.firstUnmet(s, services);
          if (unmet.isPresent()) {
            block(s, unmet.get(), cycles);
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

  /** {@code s} waits to start: {@link #reconcile} spawns it once its dependencies are met. */
  private void markPending(Service s) {
    s.pendingStart = true;
    pending.put(s.name(), s);
  }

  /** {@code then} gets the exit of service {@code name} when it ends while its target is Up. */
  void watchMain(String name, Consumer<ExitStatus> then) {
    mainService = name;
    mainEnded = then;
  }

  /** Completes (on the loop) once no spawn is in flight: what was started has a process or failed. */
  CompletableFuture<Void> spawnsSettled() {
    if (spawnsInFlight == 0) return CompletableFuture.completedFuture(null);
    CompletableFuture<Void> settled = new CompletableFuture<>();
    settledWaiters.add(settled);
    return settled;
  }

  private void block(Service s, String dependency, Dependencies.Cycles cycles) {
    String detail =
        cycles.through(s.name())
            .map(c -> "dependency cycle: " + c)
            .orElse(
                services.containsKey(dependency)
                    ? "waiting for '" + dependency + "'"
                    : "waiting for '" + dependency + "', which is not monitored (zinit monitor " + dependency + ")");
    if (s.state != State.Blocked || !detail.equals(s.detail)) {
      move(s, State.Blocked, detail);
      // Only what will not resolve by itself is logged; a dependency still starting is normal.
      if (detail.startsWith("dependency cycle") || !services.containsKey(dependency)) log.zinit(s.name() + ": " + detail);
    }
  }

  /** The one place a service's observed state changes; an illegal move is a bug. */
  void move(Service s, State to, String detail) {
    Transitions.check(s.name(), s.state, to);
    State from = s.state;
    s.state = to;
    s.detail = detail;
    // Liveness is checked exactly while the service is Running.
    if (to == State.Running && from != State.Running) health.started(s);
    else if (from == State.Running && to != State.Running) health.stop(s);
  }

  /** The one place a service's timers are cancelled (restart delay, test retry). */
  void cancelTimers(Service s) {
    cancel(s.restartTimer);
    cancel(s.testTimer);
    s.restartTimer = null;
    s.testTimer = null;
    s.nextRestart = null;
    health.stop(s);
  }

  /**
   * Hands the spawn to the spawner (posix_spawn waits for the child's exec; a boot spawns many
   * services at once); the result comes back to the loop in {@link #spawned}. Meanwhile the
   * service counts as having processes, so it is neither spawned twice nor forgotten, and a stop
   * waits for what the spawn brings.
   */
  private void spawn(Service s) {
    s.pendingStart = false;
    RestartPolicy.StartLimit limit = s.config.restart().startLimit();
    if (!s.startHistory.admit(limit, loop.nanoTime())) {
      String why = StartHistory.refusal(limit);
      move(s, State.Failure, why);
      log.zinit(s.name() + ": " + why);
      return;
    }
    s.spawning = true;
    if (s.state == State.Blocked) move(s, State.Unknown, null);
    if (s.exitMarkHeld != null) {
      s.exitMarkHeld.releaseExit(); // the last run's exit mark before this run's start mark
      s.exitMarkHeld = null;
    }
    spawnsInFlight++;
    ServiceConfig c = s.config;
    StartMarked output =
        c.log() == LogMode.RING || c.log() == LogMode.FILE ? new StartMarked(log.output(c)) : null;
    SpawnSpec main = spawns.spec(c.name(), c.exec(), c, output);
    if (c.limits() != null) {
      main = new SpawnSpec(main.unit(), main.argv(), main.env(), main.dir(), main.stdout(), main.stderr(),
          main.credentials(), c.limits());
    }
    spawns.offLoop(main, p -> spawns.markStarted(c, p.pid(), output), (p, f) -> spawned(s, p, f, output));
  }

  private void spawned(Service s, ServiceProcess process, SpawnException failure, StartMarked output) {
    s.spawning = false;
    // A stop can only be pending here if it came while the spawn was in flight: reconcile spawns
    // nothing while one is.
    boolean stopRequested = s.stopping != null;
    ServiceConfig c = s.config;
    if (failure != null) {
      String detail = failure.getMessage();
      if (failure.retryable() && s.target == Target.Up && !stopRequested && !shuttingDown) {
        // Out of fds, processes or memory: likely to pass, so retried like a crash, under the
        // service's restart delays and start_limit (a spawn that never ran is no exit, so the
        // restart mode does not apply). Failure -> Failure when it fails again is a legal stay.
        s.crashes++;
        Duration delay = restarts.restartDelay(s);
        detail = detail + "; retrying in " + delay.toMillis() + " ms";
        move(s, State.Failure, detail);
        restarts.scheduleRestart(s, delay);
      } else {
        move(s, State.Failure, detail);
      }
      log.zinit(c.name() + ": failed to spawn: " + detail);
      completeStopIfIdle(s);
    } else {
      Run run = new Run(process, loop);
      run.output = output;
      s.run = run;
      // As the original: a oneshot is Running while it runs; a service with a test is Spawned
      // until its test passes.
      move(s, !c.oneshot() && !c.test().isEmpty() ? State.Spawned : State.Running, null);
      spawns.watch(run, status -> onExit(s, run, status), () -> onGone(s, run));
      limits.warnUnapplied(s, process);
      // A stop that came while the spawn was in flight ends what it brought, as it would have
      // ended a run spawned just before it.
      if (stopRequested || shuttingDown) terminate(s, run);
      else if (!c.oneshot() && !c.test().isEmpty()) tests.runTest(s);
    }
    if (--spawnsInFlight == 0 && !settledWaiters.isEmpty()) {
      List<CompletableFuture<Void>> waiters = List.copyOf(settledWaiters);
      settledWaiters.clear();
      for (CompletableFuture<Void> w : waiters) w.complete(null);
    }
    reconcile();
  }

  void completeStopIfIdle(Service s) {
    if (s.stopping != null && !s.hasProcesses()) {
      CompletableFuture<Void> stopping = s.stopping;
      s.stopping = null;
      stopping.complete(null);
    }
  }

  private void onExit(Service s, Run run, ExitStatus status) {
    run.exit = status;
    if (s.run != run) return;
    s.lastPid = run.process.pid();
    s.lastExit = status;
    String oom = limits.oomKilled(s, run);
    move(
        s,
        status.success() ? State.Success : State.Error,
        oom != null
            ? oom
            : run.killed ? "killed with SIGKILL after shutdown_timeout " + timeout(s) : run.endedBecause);
    if (s.testRun != null) terminate(s, s.testRun);
    cancelTimers(s);
    if (s.name().equals(mainService) && s.target == Target.Up && !shuttingDown) {
      // The container's main service ended on its own: no restart, the container ends with it.
      log.mark(s.config, "main service exited (" + status.describe() + "), shutting down");
      mainEnded.accept(status);
      return;
    }
    if (s.config.oneshot() || s.target == Target.Down || shuttingDown) {
      // The usual stop: the unit emptied with its main process, and the stop waits for that
      // alone. It ends now, before the log line (~0.1 ms), rather than in the task onGone posted.
      if (s.target == Target.Down && run.process.empty().isDone()) onGone(s, run);
      markExit(s, run, "exited (" + status.describe() + "), not restarted");
      // A oneshot's leftovers (daemons it started) live on until the service is stopped.
      reconcile();
      return;
    }
    // systemd's KillMode=control-group: what the crashed main left behind goes before a restart.
    terminate(s, run);
    RestartPolicy policy = s.config.restart();
    if (!RestartRule.restarts(policy.mode(), status)) {
      markExit(s, run, "exited (" + status.describe() + "), not restarted (restart: " + policy.mode().key() + ")");
      reconcile();
      return;
    }
    Duration delay = restarts.afterCrash(s, run);
    markExit(s, run, "exited (" + status.describe() + "), restarting in " + delay.toMillis() + " ms");
    restarts.scheduleRestart(s, delay);
    reconcile();
  }

  /**
   * The exit mark of {@code run}, after the last lines it printed: the I/O thread may read them
   * after the exit is reported, so the mark waits until its pipes have ended; or, when a process
   * outside the unit holds a pipe open, until the pipes hold nothing unread, looked at every
   * {@link HealthMonitor#OUTPUT_GRACE} (see {@link #afterOutputRead}); or until the next start. In
   * a shutdown it is written at once: zinit may end before the grace does.
   */
  private void markExit(Service s, Run run, String text) {
    StartMarked output = run.output;
    Runnable mark = () -> log.mark(s.config, text);
    if (output == null || shuttingDown) {
      mark.run();
      return;
    }
    if (output.exited(mark)) return;
    s.exitMarkHeld = output; // the next start releases it if that comes first (releaseExit is idempotent)
    afterOutputRead(loop, run.process, output::releaseExit);
  }

  /**
   * How many times {@link #afterOutputRead} looks at the pipes before it runs its task regardless:
   * a process outside the unit that writes without pause must not hold it back for ever.
   */
  static final int OUTPUT_LOOKS = 50;

  /**
   * For a process that is gone while its pipes have not ended (a process outside its unit may hold
   * them open): runs {@code then} once they hold nothing zinit has not read, on the thread that
   * reads them, between its reads, so every line written before has reached its sink. It looks
   * {@link HealthMonitor#OUTPUT_GRACE} from now, and again a grace later while they do hold some (a
   * reader a loaded machine has not run yet, a paused pipe whose file writer is behind), up to
   * {@link #OUTPUT_LOOKS} times. A timer alone put a quick oneshot's exit mark before all its
   * lines when the I/O thread had not run within the grace (FileLogIT, full-suite runs on 2 cores).
   */
  static void afterOutputRead(Scheduler loop, ServiceProcess process, Runnable then) {
    loop.schedule(HealthMonitor.OUTPUT_GRACE, () -> lookAtOutput(loop, process, then, 1));
  }

  private static void lookAtOutput(Scheduler loop, ServiceProcess process, Runnable then, int looks) {
    process.outputUnread(unread -> {
      if (!unread || looks >= OUTPUT_LOOKS) then.run();
      else loop.execute(() -> loop.schedule(HealthMonitor.OUTPUT_GRACE, () -> lookAtOutput(loop, process, then, looks + 1)));
    });
  }

  void onGone(Service s, Run run) {
    if (run.gone.isDone()) return; // ended early, by onExit
    cancel(run.killTimer);
    if (s.run == run) s.run = null;
    if (s.testRun == run) s.testRun = null;
    if (s.health != null && s.health.run == run) s.health.run = null;
    run.gone.complete(null);
    completeStopIfIdle(s);
    // After the reply is on its way: every process is gone; the cgroup's rmdir need not delay it.
    // A shutdown closes many units while the next ones exit: off the loop, which has their exits.
    if (shuttingDown) closes.add(CompletableFuture.runAsync(() -> close(s, run), closer));
    else run.process.close();
    reconcile();
  }

  /** A failed close is logged, not thrown: a shutdown waits for it and must go on to its sweep. */
  private void close(Service s, Run run) {
    try {
      run.process.close();
    } catch (RuntimeException e) {
      log.zinit(s.name() + ": closing its unit failed: " + e);
    }
  }

  void terminate(Service s, Run run) {
    terminator.terminate(s, run, shuttingDown);
  }

  /** Target Down, timers off, every process of the service terminated; completes when gone. */
  CompletableFuture<Void> stop(Service s) {
    s.target = Target.Down;
    s.pendingStart = false;
    cancelTimers(s);
    if (s.state == State.Blocked) move(s, State.Unknown, null);
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
    s.startHistory.reset();
    if (s.spawning || (s.run != null && s.run.mainAlive())) return;
    cancelTimers(s);
    markPending(s);
    // A finished oneshot's leftovers go before it runs again, as a restart would do.
    if (s.run != null) terminate(s, s.run);
    if (s.state != State.Blocked) move(s, State.Unknown, null);
    reconcile();
  }

  /**
   * Target Down for every service, timers off; then {@link ShutdownOrder} stops them. Completes
   * once every unit is also closed (its cgroup removed).
   */
  CompletableFuture<Void> stopAll() {
    shuttingDown = true;
    for (Service s : services.values()) {
      s.target = Target.Down;
      s.pendingStart = false;
      cancelTimers(s);
    }
    // The order completes on the loop after the last unit's onGone: every close is listed by then.
    return new ShutdownOrder(services, this::stop, loop, log)
        .start()
        .thenCompose(stopped -> CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)));
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  @Override
  public void killed(Service s, Run run) {
    run.killed = true;
  }

  @Override
  public void unkillable(Service s, Run run, String message) {
    if (s.stopping != null) s.stopping.completeExceptionally(new IllegalStateException(message));
  }

  private static void cancel(Scheduler.Cancellable c) {
    if (c != null) c.cancel();
  }

  private static String timeout(Service s) {
    return s.config.shutdownTimeout().toMillis() + " ms";
  }
}
