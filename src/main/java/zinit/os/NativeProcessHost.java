package zinit.os;

import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import zinit.guard.FdReserve;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.ProcessHost;
import zinit.supervisor.ServiceProcess;
import zinit.supervisor.SpawnException;
import zinit.supervisor.SpawnSpec;

/**
 * The Linux implementation of {@link ProcessHost}: posix_spawn, one process-wide reaper thread, one
 * epoll I/O thread per host, cgroup v2 tracking with a per-host base cgroup (or, without cgroups,
 * best-effort tracking by process group and /proc descendants).
 *
 * <p>The reaper reaps every child of this JVM. Nothing else in the same JVM may wait for children
 * (no {@code ProcessBuilder}) while a host is open, or its exit statuses would be taken.
 */
public final class NativeProcessHost implements ProcessHost {
  /**
   * @param useCgroups track units by cgroup when the v2 hierarchy is writable
   * @param instanceName part of the base cgroup's name, to tell zinit instances apart
   * @param log where the host reports what it did ("reaped orphan 123 (exit 0)")
   * @param socketOrNull the socket this zinit serves on: its units are recorded (a marker on the
   *     base cgroup, {@code <socket>.state}) for {@link #recoverLeftovers}; null records nothing
   * @param warn where it reports what went wrong or weakens a guarantee, also without debug
   *     output (a state file it cannot write, a unit that outlived SIGKILL, a failed I/O handler,
   *     a cgroup it could not lock or remove); {@code log} then gets only routine events
   */
  public record Options(boolean useCgroups, String instanceName, Consumer<String> log, Path socketOrNull, Consumer<String> warn) {
    public Options(boolean useCgroups, String instanceName, Consumer<String> log, Path socketOrNull) {
      this(useCgroups, instanceName, log, socketOrNull, log);
    }

    public Options(boolean useCgroups, String instanceName, Consumer<String> log) {
      this(useCgroups, instanceName, log, null);
    }
  }

  static final String SH = "/bin/sh";

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final Consumer<String> log;
  private final Cgroup base; // null without cgroups
  private final CgroupLock lock; // on base, held while this host lives; null without cgroups
  private final LimitCgroups limits;
  private final InstanceState state; // null when nothing is recorded
  private final String entryPath; // zinit's own cgroup, where a spawned trampoline starts
  private final IoLoop loop;
  private final Reaper reaper = Reaper.get();
  private final Reaper.Listener listener;
  private final Set<NativeUnit> units = ConcurrentHashMap.newKeySet();
  /** The units without a cgroup (fallback mode), which re-scan on every reap: not every unit. */
  private final Set<NativeUnit> untracked = ConcurrentHashMap.newKeySet();
  private final AtomicLong sequence = new AtomicLong();
  private final Executor async = r -> Thread.ofVirtual().name("zinit-event").start(r);
  private volatile boolean closed;
  volatile boolean noCgroupKillForTests;
  private volatile FdReserve reserve = FdReserve.NONE;
  /** What a spawned program's oom_score_adj is set to ({@link #shieldFromOomKiller}), or null. */
  private volatile Integer oomRestore;

  /**
   * {@code log}: what went wrong or is degraded (a failed read, a unit that outlived SIGKILL, an I/O
   * handler's failure), said in zinit's log always; {@code debug}: routine events (an orphan
   * reaped), said only with -d.
   */
  private NativeProcessHost(
      Consumer<String> log, Consumer<String> debug, Cgroup base, CgroupLock lock, InstanceState state, String entryPath) {
    this.lock = lock;
    this.log = log;
    this.base = base;
    this.limits =
        new LimitCgroups(
            base, base == null ? java.util.Map.of() : LimitCgroups.v1Dirs(), base == null ? "zinit" : base.dir().getFileName().toString(), log);
    this.state = state;
    this.entryPath = entryPath;
    this.loop = new IoLoop("zinit-io", log);
    this.listener = new Reaper.Listener() {
      @Override
      public void reaped(int pid, ExitStatus status, boolean registered) {
        if (!registered) debug.accept("reaped orphan " + pid + " (" + describe(status) + ")");
        for (NativeUnit u : untracked) u.recheckSoon();
      }

      @Override
      public void log(String message) {
        log.accept(message);
      }
    };
    reaper.attach(listener);
  }

  public static NativeProcessHost create(Options options) {
    Consumer<String> debug = options.log() == null ? m -> {} : options.log();
    Consumer<String> log = options.warn() == null ? debug : options.warn();
    Cgroup base = null;
    CgroupLock lock = null;
    InstanceState state =
        options.socketOrNull() == null
            ? null
            : new InstanceState(options.socketOrNull(), InstanceState.Owner.self(options.socketOrNull()), log);
    String entryPath = null;
    if (options.useCgroups()) {
      Optional<CgroupMount> mount = cgroupsUsable();
      if (mount.isPresent()) {
        base = createBase(mount.get(), options.instanceName());
        entryPath = mount.get().ownPath();
        debug.accept("tracking services in cgroup " + base);
        lock = CgroupLock.tryTake(base.dir()); // before the marker: a marked cgroup's live owner holds it
        if (lock.outcome != CgroupLock.Outcome.TAKEN) {
          log.accept("cannot lock " + base + " (" + lock.detail + "): crash recovery tells a live zinit by its pid alone");
        }
        if (state != null && !InstanceState.mark(base.dir(), InstanceState.Owner.self(options.socketOrNull()))) {
          log.accept("no user xattrs on " + base + ": crash recovery relies on the state file alone");
        }
      } else {
        log.accept("cgroup v2 not writable (or no " + SH + "): best-effort tracking by process group");
      }
    }
    if (state != null) {
      if (base != null) state.cgroup(base.dir());
      else state.write();
    }
    return new NativeProcessHost(log, debug, base, lock, state, entryPath);
  }

  /**
   * Crash recovery: kills and removes the units a dead zinit of {@code socket} left running (its
   * cgroups, or without cgroups its recorded unit processes), reporting each to {@code log}. Call
   * while holding the socket and before creating the host.
   */
  public static void recoverLeftovers(Path socket, Consumer<String> log) {
    new Leftovers(socket, InstanceState.Owner.self(socket), log).recover();
  }

  /** The writable cgroup v2 hierarchy zinit lives in, whether or not this zinit uses it. */
  static Optional<CgroupMount> cgroupMount() {
    return CgroupMount.find();
  }

  /** Whether cgroup tracking would work here: a writable cgroup v2 hierarchy and /bin/sh. */
  public static boolean cgroupsAvailable() {
    return cgroupsUsable().isPresent();
  }

  private static Optional<CgroupMount> cgroupsUsable() {
    return Files.isExecutable(Path.of(SH)) ? CgroupMount.find() : Optional.empty();
  }

  private static Cgroup createBase(CgroupMount mount, String instance) {
    String name = "zinit-" + sanitize(instance == null ? "" : instance) + "-" + Libc.getpid();
    Cgroup parent = new Cgroup(mount.ownDir(), mount.ownPath());
    for (int n = 1; ; n++) {
      Cgroup candidate = parent.child(n == 1 ? name : name + "-" + n);
      if (Cgroup.tryCreate(candidate.dir(), candidate.procPath()).isPresent()) return candidate;
    }
  }

  private static final boolean SH_PRESENT = Files.isExecutable(Path.of(SH));

  /** Writes the line a gated child waits for, then closes the pipe's end. */
  private static void release(int fd) {
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      Libc.Ret r;
      do {
        r = Libc.write(fd, arena.allocateFrom("\n"), 1);
      } while (r.failed() && r.errno() == Errno.EINTR);
    } finally {
      Fds.close(fd);
    }
  }

  static String sanitize(String unit) {
    String s = unit.replaceAll("[^A-Za-z0-9_-]", "_");
    return s.length() > 64 ? s.substring(0, 64) : s;
  }

  void log(String message) {
    log.accept(message);
  }

  /**
   * zinit's own oom_score_adj lowered ({@link OomShield}), its services' given back by the spawn's
   * trampoline: call before the first spawn. Without /bin/sh for the trampoline nothing changes.
   */
  public void shieldFromOomKiller(Consumer<String> log) {
    if (!SH_PRESENT) return;
    java.util.OptionalInt restore = OomShield.lower(log);
    if (restore.isPresent()) giveServicesOomScoreAdj(restore.getAsInt());
  }

  /** Every later spawn's program gets this oom_score_adj (tests raise it: that needs no privilege). */
  void giveServicesOomScoreAdj(int value) {
    oomRestore = value;
  }

  /** Keeps {@code reserve} whole before every spawn: services never take the fds kept for root. */
  public void keepWhole(FdReserve reserve) {
    this.reserve = reserve;
  }

  @Override
  public ServiceProcess spawn(SpawnSpec spec) throws SpawnException {
    if (closed) throw new IllegalStateException("host is closed");
    if (!reserve.refill()) {
      throw new SpawnException(
          "cannot start " + spec.unit() + ": EMFILE: too few free fds (zinit keeps a few for its socket)", null, true);
    }
    Path dir = spec.dir() == null ? Path.of("/") : spec.dir().toAbsolutePath();
    if (!Files.isDirectory(dir)) {
      throw new SpawnException("cannot start " + spec.unit() + ": working directory " + dir + " does not exist");
    }
    Path exe = PathLookup.resolve(spec.argv().getFirst(), spec.env(), dir);
    Cgroup cgroup = base == null ? null : unitCgroup(spec.unit());
    // Without cgroups crash recovery knows a unit only once the state file names it: the child
    // waits on this pipe until then, and exits unrun if zinit dies first (the pipe then ends).
    // (A container without /bin/sh keeps the window: a spawn must not need it.)
    boolean gated = state != null && cgroup == null && SH_PRESENT;
    Trampoline.Command command;
    LimitCgroups.Applied limited = null;
    try {
      zinit.config.ResourceLimits l = spec.limits();
      if (l != null && l.needsCgroups()) {
        if (cgroup != null) limited = limits.apply(spec.unit(), cgroup, l);
      }
      command =
          Trampoline.build(
              exe,
              spec.argv(),
              spec.env(),
              cgroup == null ? null : cgroup.dir(),
              limited == null ? List.of() : limited.enter(),
              l == null ? 0 : l.nofile(),
              spec.credentials(),
              oomRestore,
              gated);
    } catch (SpawnException e) {
      if (limited != null) limited.remove(log);
      if (cgroup != null) cgroup.tryRemove(new ArrayList<>());
      throw e;
    }
    LimitCgroups.Applied unitLimits = limited;
    String path = command.path();
    List<String> argv = command.argv();
    Map<String, String> env = command.env();
    Pipes pipes = new Pipes();
    int[] gate = null;
    try {
      if (gated) gate = Fds.pipe();
      int gateRead = gate == null ? -1 : gate[0];
      int out = pipes.target(spec.stdout(), 1);
      int err = pipes.target(spec.stderr(), 2);
      CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
      NativeUnit unit =
          reaper.spawnLocked(
              () -> {
                int pid = Spawner.spawn(path, argv, env, dir.toString(), out, err, gateRead);
                // Completed on the reaper thread itself: a hop to another thread would lie on
                // every stop's critical path, and exit's dependent stages are short and never wait
                // for the reaper (see ServiceProcess.exit).
                reaper.register(pid, exit::complete);
                // Unreaped (we hold the reaper's gate), so neither call can miss or mistake it.
                try {
                  Pidfd pidfd = Pidfd.open(pid);
                  ProcFs.Key key = ProcFs.statOfChild(pid).key();
                  return newUnit(spec.unit(), key, pidfd, exit, cgroup, unitLimits);
                } catch (RuntimeException e) {
                  // Still our unreaped child, so its pid cannot be another process's yet.
                  Libc.kill(pid, Flags.SIGKILL).orThrow("kill(" + pid + ", SIGKILL)");
                  throw e;
                }
              });
      pipes.closeChildEnds();
      pipes.watch(loop, spec, log);
      unit.readOutputThrough(pipes.readers());
      units.add(unit);
      if (cgroup == null) untracked.add(unit);
      if (state != null && cgroup == null) state.add(new InstanceState.Unit(unit.mainKey().pid(), unit.mainKey().starttime(), spec.unit()));
      if (gate != null) {
        Fds.close(gate[0]);
        gate[0] = -1;
        release(gate[1]); // recorded (or the state file could not be written: logged); run
        gate = null;
      }
      unit.watch();
      return unit;
    } catch (SpawnException | RuntimeException e) {
      // Cleanup may fail for the same shortage; the spawn's own error is the one to report.
      try {
        if (gate != null) { // the child, if any, reads the end of the pipe and exits unrun
          if (gate[0] >= 0) Fds.close(gate[0]);
          Fds.close(gate[1]);
        }
        pipes.closeAll();
        if (unitLimits != null) unitLimits.remove(log);
        if (cgroup != null) cgroup.tryRemove(new ArrayList<>());
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
        log.accept("cleaning up after a failed spawn of " + spec.unit() + ": " + cleanup.getMessage());
      }
      if (e instanceof RuntimeException r && Shortage.in(r))
        throw new SpawnException("cannot start " + spec.unit() + ": " + Shortage.named(r.getMessage(), r), r, true);
      throw e;
    }
  }

  private NativeUnit newUnit(
      String name, ProcFs.Key key, Pidfd pidfd, CompletableFuture<ExitStatus> exit, Cgroup cg, LimitCgroups.Applied l) {
    NativeUnit[] self = new NativeUnit[1];
    self[0] =
        new NativeUnit(
            name, key, pidfd, exit, cg, loop, async, log, noCgroupKillForTests, entryPath,
            () -> {
              unitClosed(self[0]);
              if (l != null) l.remove(log);
            });
    self[0].limits = l;
    return self[0];
  }

  private void unitClosed(NativeUnit unit) {
    units.remove(unit);
    untracked.remove(unit);
    if (state != null && !unit.cgroupTracked()) state.remove(unit.mainKey().pid());
  }

  private Cgroup unitCgroup(String unit) throws SpawnException {
    try {
      for (; ; ) {
        Cgroup c = base.child(sanitize(unit) + "-" + sequence.incrementAndGet());
        if (Cgroup.tryCreate(c.dir(), c.procPath()).isPresent()) return c;
      }
    } catch (RuntimeException e) {
      throw new SpawnException("cannot create cgroup for " + unit + ": " + Shortage.named(e.getMessage(), e), e, Shortage.in(e));
    }
  }

  /**
   * Starts binding, on a background thread, the native calls that spawning needs, so that it
   * overlaps with the rest of start-up. Call first thing in a daemon; harmless when no host follows.
   */
  public static void prepareSpawns() {
    Thread.ofPlatform().daemon().name("zinit-bind").start(Libc::bindSpawnCalls);
  }

  /**
   * Prepares, on a background thread, what the first stop would otherwise prepare on its critical
   * path (the native calls it makes that a start-up does not), then runs {@code more} there: the
   * caller's part of it. Call once the services are up.
   */
  public void warmUp(Runnable more) {
    Runnable warmUp =
        () -> {
          Libc.bindStopCalls();
          initialise(SoleProcess.class, ProcFs.Signals.class, ExitStatus.class, ExitStatus.Killed.class);
          ProcessExit.bind(); // the last call of every shutdown
          more.run();
        };
    try {
      Thread.ofPlatform().daemon().name("zinit-warm-up").start(warmUp);
    } catch (OutOfMemoryError noThread) {
      // A service took every process slot zinit shares with it before this: the error ended
      // zinit's start-up, its socket never answered (ForkBombIT). The caller does it, a few ms.
      warmUp.run();
    }
  }

  /**
   * Initialises classes that a stop is the first to use, so that the first stop runs neither their
   * initialisers (SoleProcess builds a set through a stream, interpreted) nor the compiles that wait
   * for them: zinit runs with -XX:+AOTCompileEagerly, which compiles each method its AOT cache
   * recorded as compiled once every class that method's compiled code depends on is initialised.
   */
  private static void initialise(Class<?>... classes) {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    for (Class<?> c : classes) {
      try {
        lookup.ensureInitialized(c);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("initialising " + c.getName(), e);
      }
    }
  }

  /**
   * Hands the native heap that start-up freed back to the kernel, once: the JVM's compiler arenas
   * are returned to malloc within seconds of start-up (its chunk pool is cleaned every 5 s), and
   * malloc keeps them (about 6 MB) until trimmed. One trim replaces the JVM's periodic one, whose
   * thread would wake zinit up while it idles. Takes about 2 ms, once.
   */
  public void trimNativeHeap() {
    Libc.malloc_trim(0); // 0 only means there was nothing to give back: not a failure
  }

  @Override
  public boolean cgroupsEnabled() {
    return base != null;
  }

  @Override
  public List<Integer> sweep(Duration grace) {
    return new Sweeper(base, reaper, log).sweep(grace);
  }

  @Override
  public void sync() {
    Libc.sync();
  }

  @Override
  public boolean isPid1() {
    return Libc.getpid() == 1;
  }

  /**
   * As the machine's init: Ctrl-Alt-Del becomes SIGINT to zinit (a graceful reboot) instead of the
   * kernel's immediate restart, which syncs nothing and stops no service (the kernel's default;
   * every init turns it off). In a PID namespace of its own the kernel refuses the call (EINVAL):
   * Ctrl-Alt-Del is the host's there, and nothing changes. Returns why it failed otherwise, or null.
   */
  public String trapCtrlAltDel() {
    return MachinePower.trapCtrlAltDel();
  }

  @Override
  public void reboot(boolean restart) {
    MachinePower.reboot(restart);
  }

  /** Kills what is left of every unit, waits for it, removes the cgroups and stops the I/O thread. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    for (NativeUnit u : units) u.killAll();
    if (base != null) base.tryKill();
    for (NativeUnit u : units) {
      try {
        u.empty().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        log.accept("close: " + u + " not empty: " + e);
      }
      u.close();
    }
    limits.close();
    if (base != null) {
      if (!Waits.cgroupEmpty(base, deadline)) log.accept("close: processes left in " + base);
      List<String> why = new ArrayList<>();
      if (!base.tryRemove(why)) log.accept("close: cgroup not removed: " + why);
    }
    if (lock != null) lock.close();
    if (state != null && units.isEmpty() && (base == null || !Files.exists(base.dir()))) state.delete();
    reaper.detach(listener);
    loop.close();
  }

  static String describe(ExitStatus status) {
    return switch (status) {
      case ExitStatus.Exited(int code) -> "exit " + code;
      case ExitStatus.Killed(int signal) -> "signal " + signal;
    };
  }
}
