package zinit.os;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import zinit.config.Signal;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.ProcessStats;
import zinit.supervisor.ServiceProcess;

/**
 * One spawned unit. Emptiness is an event: in cgroup mode, cgroup.events "populated 0" (EPOLLPRI on
 * the I/O loop) once the main process has been reaped; in fallback mode, a re-scan on every reaper
 * event once the main process has been reaped. Futures complete on a virtual thread so callers'
 * dependent stages never run on the reaper or I/O thread.
 */
final class NativeUnit implements ServiceProcess {
  /** Bound on freeze/kill/thaw rounds where cgroup.kill is missing. */
  private static final int KILL_FALLBACK_ROUNDS = 100;
  /** How long a stop signal waits for the unit to freeze before it signals unfrozen. */
  private static final long FREEZE_WAIT_NANOS = 100_000_000L;

  private final String unit;
  private final ProcFs.Key mainKey;
  private final Pidfd main;
  private final CompletableFuture<ExitStatus> exit;
  private final CompletableFuture<Void> empty = new CompletableFuture<>();
  private final Membership members;
  private final Cgroup cgroup; // null in fallback mode
  private final IoLoop loop;
  private final Executor async;
  private final Consumer<String> log;
  private final Runnable onClose;
  private final StatsSampler sampler = new StatsSampler();
  private final boolean noCgroupKill;
  private int eventsFd = -1; // loop thread only; -1 once the registration is dropped
  private long eventsToken;
  private boolean closed; // guarded by this
  /** The unit's resource limits (v1 cgroups, OOM counters), or null; set once after construction. */
  volatile LimitCgroups.Applied limits;

  NativeUnit(
      String unit,
      ProcFs.Key mainKey,
      Pidfd main,
      CompletableFuture<ExitStatus> exit,
      Cgroup cgroup,
      IoLoop loop,
      Executor async,
      Consumer<String> log,
      boolean noCgroupKill,
      Runnable onClose) {
    this.unit = unit;
    this.mainKey = mainKey;
    this.main = main;
    this.exit = exit;
    this.cgroup = cgroup;
    this.members = cgroup != null ? new CgroupMembership(cgroup) : new GroupMembership(mainKey);
    this.loop = loop;
    this.async = async;
    this.log = log;
    this.noCgroupKill = noCgroupKill;
    this.onClose = onClose;
  }

  @Override
  public java.util.Map<String, Object> limitStats() {
    LimitCgroups.Applied l = limits;
    return l == null ? java.util.Map.of() : l.stats();
  }

  @Override
  public List<String> unappliedLimits() {
    LimitCgroups.Applied l = limits;
    return l == null ? List.of() : l.unapplied();
  }

  @Override
  public long oomKills() {
    LimitCgroups.Applied l = limits;
    return l == null ? 0 : l.oomKills();
  }

  /** Starts watching for emptiness; call once, after construction. */
  void watch() {
    if (cgroup != null) {
      int fd = Fds.open(cgroup.eventsFile().toString(), Flags.O_RDONLY);
      eventsToken = loop.add(fd, Flags.EPOLLPRI | Flags.EPOLLET, true, (token, events) -> recheck());
      loop.execute(
          () -> {
            eventsFd = fd;
            recheck(); // the current value, now that no later change can be missed
          });
    }
    exit.whenComplete((status, error) -> recheckSoon());
  }

  /** Re-evaluates emptiness on the I/O loop (fallback: after any reaper event). */
  void recheckSoon() {
    if (!empty.isDone()) loop.execute(this::recheck);
  }

  private void recheck() {
    if (empty.isDone() || !exit.isDone()) return;
    boolean gone;
    if (cgroup != null) {
      if (eventsFd < 0) return; // not registered yet, or already dropped
      gone = !Cgroup.populated(Fds.preadAll(eventsFd, 256));
    } else {
      gone = members.candidates().isEmpty();
    }
    if (!gone) return;
    if (cgroup != null) {
      eventsFd = -1;
      loop.remove(eventsToken);
    }
    async.execute(() -> empty.complete(null));
  }

  @Override
  public int pid() {
    return mainKey.pid();
  }

  @Override
  public CompletableFuture<ExitStatus> exit() {
    return exit;
  }

  @Override
  public int signalAll(Signal... signals) {
    int[] numbers = new int[signals.length];
    for (int i = 0; i < signals.length; i++) numbers[i] = signals[i].number();
    if (cgroup == null) return Signaller.signalAll(members, main, mainKey, numbers);
    // Frozen, the unit cannot fork, so one pass reaches exactly the processes that exist when the
    // signal is sent, and a stop handler's own children (started after it) are not cut short.
    // A unit that does not freeze in time (a task in uninterruptible sleep) gets repeated passes.
    // A unit already removed has nobody left to signal but, perhaps, its main process.
    if (!cgroup.tryFreeze(true)) return Signaller.signalAll(members, main, mainKey, numbers);
    try {
      if (Waits.cgroupFrozen(cgroup, System.nanoTime() + FREEZE_WAIT_NANOS)) {
        return Signaller.signalOnce(members, main, mainKey, numbers);
      }
      return Signaller.signalAll(members, main, mainKey, numbers);
    } finally {
      cgroup.tryFreeze(false);
    }
  }

  @Override
  public boolean signalMain(Signal signal) {
    return !exit.isDone() && main.trySignal(signal.number());
  }

  @Override
  public void killAll() {
    // The main pidfd first: in cgroup mode the trampoline may not have entered its cgroup yet.
    main.trySignal(Flags.SIGKILL);
    if (cgroup == null) {
      Signaller.signalAll(members, main, mainKey, Flags.SIGKILL);
      return;
    }
    if (!noCgroupKill && cgroup.tryKill()) return;
    log.accept(unit + ": cgroup.kill fallback (freeze, kill each, thaw) for " + cgroup);
    for (int round = 0; round < KILL_FALLBACK_ROUNDS; round++) {
      // Frozen processes cannot fork; SIGKILL still takes them down once thawed (or at once).
      cgroup.freeze(true);
      try {
        Signaller.signalAll(members, main, mainKey, Flags.SIGKILL);
      } finally {
        cgroup.freeze(false);
      }
      if (members.candidates().isEmpty()) return;
    }
    log.accept(unit + ": processes still listed in " + cgroup + " after SIGKILL rounds");
  }

  @Override
  public CompletableFuture<Void> empty() {
    return empty;
  }

  @Override
  public List<Integer> pids() {
    var out = new java.util.LinkedHashSet<Integer>();
    int pid = mainKey.pid();
    if (!exit.isDone() && ProcFs.stat(pid).map(s -> !s.zombie() && s.key().equals(mainKey)).orElse(false)) {
      out.add(pid);
    }
    out.addAll(members.candidates());
    return List.copyOf(out);
  }

  @Override
  public ProcessStats stats() {
    return sampler.sample(mainKey.pid(), pids(), cgroup);
  }

  @Override
  public boolean cgroupTracked() {
    return cgroup != null;
  }

  Cgroup cgroup() {
    return cgroup;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
      closed = true;
    }
    if (cgroup != null) {
      loop.execute(
          () -> {
            eventsFd = -1;
            loop.remove(eventsToken);
          });
    }
    main.close();
    if (cgroup != null) {
      List<String> why = new ArrayList<>();
      if (!cgroup.tryRemove(why)) log.accept(unit + ": cgroup left for host close: " + why);
    }
    onClose.run();
  }

  @Override
  public String toString() {
    return unit + "[" + mainKey.pid() + (cgroup != null ? " in " + cgroup : "") + "]";
  }
}
