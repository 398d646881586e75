package zinit.supervisor;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import zinit.config.ConfigLoader;
import zinit.config.ServiceConfig;
import zinit.config.Signal;

/**
 * The service operations. Each call is handed to the loop, where {@link Lifecycle} owns all state,
 * and waits for its answer; so callers on any thread see one consistent order of events.
 */
public final class Supervisor implements Services {
  /** How long the final sweep waits for stray processes after SIGTERM. */
  static final Duration SWEEP_GRACE = ServiceConfig.DEFAULT_SHUTDOWN_TIMEOUT;

  private final ProcessHost host;
  private final Scheduler loop;
  private final LogSink log;
  private final ConfigSource configs;
  private final Lifecycle lifecycle;
  private final LoopCalls calls;
  /** Serialises start, stop, restart, forget of one service, and reload against all of them. */
  private final OpLocks locks = new OpLocks();
  private final CompletableFuture<List<Integer>> terminated = new CompletableFuture<>();
  private volatile boolean shuttingDown;
  private volatile boolean rebootRequested;
  private final CompletableFuture<ExitStatus> mainExit = new CompletableFuture<>();
  /** Why a service file could not be loaded, by service name, until it loads: status/start say so. */
  private final Map<String, String> loadErrors = new java.util.concurrent.ConcurrentHashMap<>();

  /** Stop signals go out on these threads, so units are signalled in parallel, off the loop. */
  private static final int SIGNAL_THREADS = 4;
  private final Executor signaller;
  /**
   * Spawns run on these threads: posix_spawn returns only once the child has exec'd, so at boot
   * several children get through their exec at the same time instead of one after another.
   */
  private static final int SPAWN_THREADS = 4;

  public Supervisor(ProcessHost host, Scheduler loop, LogSink log, ConfigSource configs) {
    this(host, loop, log, configs, Probes.NONE);
  }

  /** With the network health checks ({@code health: http|tcp}) done by {@code probes}. */
  public Supervisor(ProcessHost host, Scheduler loop, LogSink log, ConfigSource configs, Probes probes) {
    // Fixed platform threads: they block in native calls, and idle they never wake.
    this(
        host,
        loop,
        log,
        configs,
        prestarted(SIGNAL_THREADS, "zinit-signal-"),
        prestarted(SPAWN_THREADS, "zinit-spawn-"),
        probes);
  }

  /**
   * A fixed pool whose threads start now, while threads can be had. Started on first use, a stop
   * that found none left (RLIMIT_NPROC, kernel.threads-max, a pids limit, a fork bomb) failed half
   * done: target Down, the process alive, and that service's stop, start and zinit's shutdown
   * waiting for it forever. When even now there is none, the rest start when first needed.
   */
  private static Executor prestarted(int threads, String name) {
    ThreadPoolExecutor pool =
        (ThreadPoolExecutor) Executors.newFixedThreadPool(threads, Thread.ofPlatform().name(name, 0).daemon(true).factory());
    try {
      pool.prestartAllCoreThreads();
    } catch (OutOfMemoryError noThread) {
      // zinit still boots; the pool grows on use
    }
    return pool;
  }

  /** With the threads that signal and spawn given, so tests can run both on a fake loop. */
  Supervisor(
      ProcessHost host,
      Scheduler loop,
      LogSink log,
      ConfigSource configs,
      Executor signaller,
      Executor spawner) {
    this(host, loop, log, configs, signaller, spawner, Probes.NONE);
  }

  Supervisor(
      ProcessHost host,
      Scheduler loop,
      LogSink log,
      ConfigSource configs,
      Executor signaller,
      Executor spawner,
      Probes probes) {
    this.host = host;
    this.loop = loop;
    this.calls = new LoopCalls(loop);
    this.log = log;
    this.configs = configs;
    this.lifecycle = new Lifecycle(host, loop, log, configs, Backoff.DEFAULT, signaller, spawner, probes);
    this.signaller = signaller;
  }

  /**
   * The final sweep's thread: a new one, or when none can be made (a service took every process
   * slot) one of the signal threads started at boot, so the shutdown still ends.
   */
  private void onOwnThread(Runnable r) {
    try {
      Thread.ofPlatform().name("zinit-sweep").start(r);
    } catch (OutOfMemoryError noThread) {
      signaller.execute(r);
    }
  }

  /**
   * Adds the services loaded at start-up together (so none is briefly reported as waiting for a
   * dependency that is merely not read yet); each starts as soon as its dependencies allow.
   * Returns once the spawns this set off are done, so the first client sees their processes.
   */
  public void load(Iterable<ServiceConfig> configs) {
    LoopCalls.awaitQuietly(
        calls.call(
            () -> {
              lifecycle.addAll(configs);
              return lifecycle.spawnsSettled();
            }));
  }

  /**
   * Container mode's main service: when {@code name} ends on its own (its main process exits
   * while its target is Up), it is not restarted and zinit shuts everything down; {@link
   * #mainExit} then has its exit. Call before {@link #load}.
   */
  public void watchMain(String name) {
    // The shutdown blocks until everything is stopped, so not on the loop: on a thread made now,
    // before any service runs. Made when the main service ended, a service that had taken every
    // process slot zinit shares with it left zinit up for ever, its main service gone.
    Thread.ofPlatform().daemon().name("zinit-main-ended").start(() -> {
      mainExit.join();
      try {
        shutdown(false);
      } catch (ZinitException e) {
        log.zinit("shutdown after the main service failed: " + e.getMessage());
      }
    });
    calls.call(() -> {
      lifecycle.watchMain(name, mainExit::complete);
      return null;
    });
  }

  /** The main service's exit when it ended on its own, else not completed. */
  public CompletableFuture<ExitStatus> mainExit() {
    return mainExit;
  }

  /** The exit code of a container whose main service ended with {@code status}: 128+signal when killed. */
  public static int exitCode(ExitStatus status) {
    return switch (status) {
      case ExitStatus.Exited(int code) -> code;
      case ExitStatus.Killed(int signal) -> 128 + signal;
    };
  }

  /** A service file that could not be loaded at start-up; `status`/`start` of it name the error. */
  public void loadFailed(String name, String error) {
    loadErrors.put(name, error);
  }

  @Override
  public Map<String, String> list() {
    return calls.call(
        () -> {
          Map<String, String> out = new LinkedHashMap<>();
          lifecycle.services.forEach((name, s) -> out.put(name, s.display()));
          return out;
        });
  }

  @Override
  public ServiceStatus status(String name) throws ZinitException {
    return calls.callChecked(
        () -> {
          Service s = find(name);
          return StatusViews.status(name, s, lifecycle.services, loop);
        });
  }

  @Override
  public void start(String name) throws ZinitException {
    try (OpLock _ = locks.hold(name)) {
      startUnlocked(name);
    }
  }

  private void startUnlocked(String name) throws ZinitException {
    LoopCalls.awaitQuietly(
        calls.callChecked(
            () -> {
              refuseWhenShuttingDown();
              lifecycle.start(find(name));
              return lifecycle.spawnsSettled();
            }));
  }

  @Override
  public void stop(String name) throws ZinitException {
    LoopCalls.await(stopping(name));
  }

  @Override
  public CompletableFuture<Void> stopping(String name) {
    OpLock held = locks.hold(name);
    CompletableFuture<Void> stopped;
    try {
      stopped = calls.callThen(() -> lifecycle.stop(find(name)));
    } catch (RuntimeException | Error e) {
      held.close();
      throw e;
    }
    // Released by the thread that completes the stop (the loop), before the caller hears of it.
    return stopped.whenComplete((ok, failure) -> held.close());
  }

  @Override
  public void restart(String name) throws ZinitException {
    // Held across both halves: no other start, stop or reload of this service comes between.
    try (OpLock _ = locks.hold(name)) {
      calls.callChecked(
          () -> {
            refuseWhenShuttingDown();
            return find(name);
          });
      calls.callUntil(() -> lifecycle.stop(find(name)));
      startUnlocked(name);
    }
  }

  @Override
  public Map<String, String> reload() throws ZinitException {
    try (OpLock _ = locks.holdAll()) {
      calls.callChecked(
          () -> {
            refuseWhenShuttingDown();
            return null;
          });
      // Reading the files happens off the loop; applying them on it.
      ConfigLoader.LoadResult read = configs.loadAll();
      Map<String, String> outcome =
          LoopCalls.await(
              calls.callChecked(
                  () -> {
                    refuseWhenShuttingDown();
                    // A file that failed to load names its error in status/start until it loads.
                    for (String name : read.services().keySet()) loadErrors.remove(name);
                    for (zinit.config.ConfigException e : read.errors()) {
                      String name = e.serviceOrNull();
                      if (name != null && !lifecycle.services.containsKey(name)) loadErrors.put(name, e.getMessage());
                    }
                    return new Reload(lifecycle, loop, log).apply(read);
                  }));
      // off the loop, as after a forget: closing a log file may wait for the disk
      outcome.forEach((name, what) -> {
        if (what.equals(Reload.REMOVED)) log.forgotten(name);
      });
      return outcome;
    }
  }

  @Override
  public void monitor(String name) throws ZinitException {
    calls.callChecked(
        () -> {
          refuseWhenShuttingDown();
          if (lifecycle.services.containsKey(name)) throw new ZinitException.AlreadyMonitored(name);
          return null;
        });
    // Reading the file happens off the loop; the loop re-checks for a racing monitor.
    ServiceConfig config;
    try {
      config = configs.load(name);
    } catch (ZinitException.ConfigError e) {
      loadErrors.put(name, e.getMessage());
      throw e;
    }
    LoopCalls.awaitQuietly(
        calls.callChecked(
            () -> {
              refuseWhenShuttingDown();
              if (lifecycle.services.containsKey(name)) throw new ZinitException.AlreadyMonitored(name);
              lifecycle.add(config);
              loadErrors.remove(name);
              return lifecycle.spawnsSettled();
            }));
  }

  @Override
  public void forget(String name) throws ZinitException {
    try (OpLock _ = locks.hold(name)) {
      forgetUnlocked(name);
    }
    log.forgotten(name); // off the loop: closing a log file may wait for the disk
  }

  private void forgetUnlocked(String name) throws ZinitException {
    calls.callChecked(
        () -> {
          Service s = find(name);
          if (s.target == Target.Up) throw new ZinitException.IsUp(name);
          if (s.hasProcesses()) throw new ZinitException.IsUp(name, "processes are still running");
          lifecycle.services.remove(name);
          lifecycle.reconcile();
          return null;
        });
  }

  @Override
  public void kill(String name, String signal) throws ZinitException {
    Signal sig = Signal.parse(signal).orElseThrow(() -> new ZinitException.InvalidSignal(signal));
    calls.callChecked(
        () -> {
          Service s = find(name);
          if (s.target == Target.Down || s.run == null || !s.run.process.signalMain(sig)) {
            throw new ZinitException.IsDown(name);
          }
          return null;
        });
  }

  /**
   * One pass over the state on the loop; the processes' usage is then read here, off the loop, so
   * a slow /proc never holds up supervision.
   */
  @Override
  public List<ServiceSample> samples(boolean withUsage) {
    List<StatusViews.Taken> taken = calls.call(() -> StatusViews.take(lifecycle.services));
    return StatusViews.samples(taken, withUsage);
  }

  @Override
  public ProcessStats stats(String name) throws ZinitException {
    Service service =
        calls.callChecked(
            () -> {
              Service s = find(name);
              if (s.run == null || !s.run.mainAlive()) throw new ZinitException.IsDown(name);
              return s;
            });
    ServiceProcess process = service.run.process;
    ProcessStats stats = process.stats();
    zinit.config.ResourceLimits limits = service.config.limits();
    if (limits == null) return stats;
    Map<String, Object> cgroup = new LinkedHashMap<>(process.limitStats());
    cgroup.put("limits", limits.display());
    return stats.withCgroup(cgroup);
  }

  @Override
  public void shutdown(boolean reboot) throws ZinitException {
    requestShutdown(reboot);
    try {
      terminated.join();
    } catch (CompletionException e) {
      throw new IllegalStateException("shutdown failed", e.getCause());
    }
  }

  /**
   * Starts the shutdown (or says it is already in progress) without waiting for it: for a caller
   * that must stay free, such as the one thread that takes zinit's signals.
   */
  public void requestShutdown(boolean reboot) throws ZinitException {
    boolean first =
        calls.call(
            () -> {
              if (shuttingDown) return false;
              shuttingDown = true;
              rebootRequested = reboot;
              log.zinit(reboot ? "reboot requested" : "shutdown requested");
              lifecycle
                  .stopAll()
                  .thenRunAsync(this::sweep, this::onOwnThread);
              return true;
            });
    if (!first) log.zinit("shutdown already in progress");
  }

  private void sweep() {
    // Every service is gone: what they wrote starts going to disk now, beside the sweep and the
    // closing of sockets and logs, rather than all in the final sync, which then has little left.
    // That final sync, after the last write (zinit's own log files), is the one §4 asks for.
    try {
      Thread.ofPlatform().daemon().name("zinit-early-sync").start(host::sync);
    } catch (OutOfMemoryError noThread) {
      // no thread to be had (something outside zinit holds the process slots): the final sync
      // still comes; the error must not end the sweep, or the shutdown would never end
    }
    try {
      List<Integer> left = host.sweep(SWEEP_GRACE);
      if (!left.isEmpty()) log.zinit("could not remove processes " + left);
      terminated.complete(left);
    } catch (RuntimeException e) {
      terminated.completeExceptionally(e);
    }
  }

  @Override
  public boolean shuttingDown() {
    return shuttingDown;
  }

  /** Completes when shutdown has stopped everything, with the pids that could not be removed. */
  public CompletableFuture<List<Integer>> terminated() {
    return terminated;
  }

  public boolean rebootRequested() {
    return rebootRequested;
  }

  private Service find(String name) throws ZinitException {
    Service s = lifecycle.services.get(name);
    if (s == null) throw new ZinitException.NotFound(name, loadErrors.get(name));
    return s;
  }

  private void refuseWhenShuttingDown() throws ZinitException {
    if (shuttingDown) throw new ZinitException.ShuttingDown();
  }
}
