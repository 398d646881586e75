package zinit.os;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import zinit.config.Signal;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.ProcessStats;
import zinit.supervisor.ServiceProcess;
import zinit.supervisor.Usage;

/**
 * One spawned unit. Emptiness is an event: in cgroup mode, the cgroup found unpopulated right
 * after the main process is reaped (on the thread that completes {@link #exit()}: the usual stop,
 * where the main process is the last to go), or later cgroup.events "populated 0" (EPOLLPRI on the
 * I/O loop) when other processes outlive it; in fallback mode, a re-scan on every reaper event once
 * the main process has been reaped. {@link #exit()} completes on the reaper thread (see {@link
 * ServiceProcess#exit()}); {@link #empty()} there too when the main process was the last, else on a
 * virtual thread, so that no dependent stage runs on the I/O thread.
 *
 * <p>A main process that writes itself into a cgroup outside the unit ("escapes") leaves the unit
 * empty while it runs. That is reported once ({@link #onTrackingNote}, {@link #trackingNote()});
 * the main process is still signalled and killed through its pidfd wherever it went, but what it
 * starts there is outside the unit and not tracked.
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
  /** {@link #exit()}: completes after {@link #exit}, once its emptiness check ran (see {@link #watch}). */
  private final CompletableFuture<ExitStatus> exitSeen = new CompletableFuture<>();
  private final CompletableFuture<Void> empty = new CompletableFuture<>();
  private final Membership members;
  private final Cgroup cgroup; // null in fallback mode
  private final IoLoop loop;
  private final Executor async;
  private final Consumer<String> log;
  private final Runnable onClose;
  private final StatsSampler sampler = new StatsSampler();
  private final boolean noCgroupKill;
  private final String entryPath; // the cgroup a spawned process starts in, before the trampoline
  private int eventsFd = -1; // loop thread only; -1 once the registration is dropped
  private long eventsToken;
  private boolean entered; // loop thread only: the unit was seen populated
  private volatile boolean exitChecked; // the reaper thread's check after main's exit has run
  private volatile String escape; // set once, when the main process is found outside the unit
  private final CompletableFuture<String> escapeLine = new CompletableFuture<>();
  private boolean closed; // guarded by this
  /** The unit's resource limits (v1 cgroups, OOM counters), or null; set once after construction. */
  volatile LimitCgroups.Applied limits;
  /** The readers of the main process's output pipes; set once after construction. */
  private volatile List<PipeReader> output = List.of();

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
      String entryPath,
      Runnable onClose) {
    this.entryPath = entryPath;
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

  /** The main process, as crash recovery records it. */
  ProcFs.Key mainKey() {
    return mainKey;
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
    // exit() completes after the emptiness check, so that the usual stop (main the last process)
    // finds its unit empty when the loop handles the exit, and ends there.
    exit.whenComplete(
        (status, error) -> {
          if (cgroup != null) emptyAfterExit();
          else recheckSoon();
          if (error != null) exitSeen.completeExceptionally(error);
          else exitSeen.complete(status);
        });
  }

  /**
   * Runs where {@link #exit} completed, at once: when the main process was the last one (every
   * stop of a one-process service), the unit is empty now and a hop to the I/O loop would only
   * add latency. Otherwise the loop's cgroup.events watch reports the last exit later; it reads
   * {@code exit} after that change, so nothing is missed between the two.
   */
  private void emptyAfterExit() {
    boolean populated;
    try {
      populated = !empty.isDone() && cgroup.populatedNow();
    } catch (RuntimeException e) {
      log.accept(
          unit + ": reading " + cgroup.eventsPath + " failed (" + e.getMessage()
              + "); asking the I/O loop");
      exitChecked = true;
      recheckSoon();
      return;
    }
    if (populated) {
      // Other processes outlive main: the I/O loop reports the last one's exit. One it skipped
      // while this check ran (see recheck) is looked at again.
      exitChecked = true;
      recheckSoon();
      return;
    }
    // The watch is dropped by close(), which follows once the exit and this are handled: a wake-up
    // of the I/O thread here would compete with the stop's reply for the CPUs.
    empty.complete(null);
    exitChecked = true;
  }

  /** Drops the cgroup.events registration; loop thread only. */
  private void unwatch() {
    if (eventsFd < 0) return;
    eventsFd = -1;
    loop.remove(eventsToken);
  }

  /** Re-evaluates emptiness on the I/O loop (fallback: after any reaper event). */
  void recheckSoon() {
    if (!empty.isDone()) loop.execute(this::recheck);
  }

  private void recheck() {
    if (empty.isDone()) return;
    boolean gone;
    if (cgroup != null) {
      if (eventsFd < 0) return; // not registered yet, or already dropped
      Optional<String> events = Fds.tryPreadAll(eventsFd, 256);
      // ENODEV: the cgroup was removed (by close), so it is empty.
      gone = events.isEmpty() || !Cgroup.populated(events.get());
      if (!gone) entered = true;
      if (gone && !exit.isDone()) {
        // Mostly main has just exited and the reaper is about to report it; only a main process
        // that still runs can have left the unit.
        if (!main.exited()) noticeEscape();
        return;
      }
    } else {
      if (!exit.isDone()) return;
      gone = members.candidates().isEmpty();
    }
    if (!gone || !exit.isDone()) return;
    // The reaper thread checks the unit itself right after the exit (emptyAfterExit) and completes
    // empty when it finds it empty: until it has checked, that is its to decide, and it asks again
    // when it found other processes. Saves this thread a virtual thread per stop.
    if (cgroup != null && !exitChecked) return;
    if (empty.isDone()) return; // the reaper's check completed it while this one read
    if (cgroup != null) unwatch();
    async.execute(() -> empty.complete(null));
  }

  /**
   * The unit is empty but its main process runs: it has not entered its cgroup yet (still where
   * it was spawned) or it has left it. Loop thread only.
   */
  private void noticeEscape() {
    if (escape != null) return;
    Optional<String> now = ProcFs.cgroupOf(mainKey.pid());
    if (now.isEmpty() || exit.isDone() || cgroup.contains(now.get())) return; // exiting, or a race
    if (!entered && now.get().equals(entryPath)) return; // the trampoline has not run yet
    escape =
        "main process " + mainKey.pid() + " left its cgroup " + cgroup.procPath() + " for "
            + now.get() + ": zinit still signals and kills it by its pidfd, but processes it starts"
            + " there are not tracked";
    escapeLine.complete(unit + ": " + escape); // the supervisor logs it, debug or not
  }

  @Override
  public void onTrackingNote(Consumer<String> listener) {
    escapeLine.thenAccept(listener);
  }

  @Override
  public Optional<String> trackingNote() {
    return Optional.ofNullable(escape);
  }

  @Override
  public int pid() {
    return mainKey.pid();
  }

  @Override
  public CompletableFuture<ExitStatus> exit() {
    return exitSeen;
  }

  @Override
  public int signalAll(Signal... signals) {
    int[] numbers = numbers(signals);
    if (cgroup == null) return Signaller.signalAll(members, main, mainKey, numbers);
    if (SoleProcess.send(cgroup, main, mainKey, exit.isDone(), numbers)) {
      if (!SoleProcess.othersAppeared(cgroup, mainKey)) return 1;
    }
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
  public Optional<BooleanSupplier> signalAllAtOnce(Signal... signals) {
    if (cgroup == null) return Optional.empty();
    int[] numbers = numbers(signals);
    if (!SoleProcess.send(cgroup, main, mainKey, exit.isDone(), numbers)) return Optional.empty();
    return Optional.of(
        () -> {
          if (!SoleProcess.othersAppeared(cgroup, mainKey)) return false;
          signalAll(signals);
          return true;
        });
  }

  private static int[] numbers(Signal[] signals) {
    int[] numbers = new int[signals.length];
    for (int i = 0; i < signals.length; i++) numbers[i] = signals[i].number();
    return numbers;
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

  /**
   * Cheaper than {@link #stats()}, for metrics of many services: with a cgroup, one read of
   * cgroup.procs and cpu.stat and one of statm per process (zombies count, with no memory).
   */
  @Override
  public Usage usage() {
    List<Integer> live = cgroup != null ? cgroup.procs() : pids();
    long memory = 0;
    long ticks = 0;
    for (int pid : live) {
      memory += ProcFs.rssBytes(pid);
      if (cgroup == null) ticks += ProcFs.stat(pid).map(s -> s.utime() + s.stime()).orElse(0L);
    }
    double cpu = (double) ticks / ProcFs.Units.CLK_TCK;
    if (cgroup != null) {
      OptionalLong micros = cgroup.cpuUsageMicros();
      cpu = micros.isPresent() ? micros.getAsLong() / 1e6 : 0;
    }
    return new Usage(cpu, memory, live.size());
  }

  @Override
  public boolean cgroupTracked() {
    return cgroup != null;
  }

  void readOutputThrough(List<PipeReader> readers) {
    output = readers;
  }

  /** On the I/O thread, between its reads of the pipes (see {@link PipeReader#unread}). */
  @Override
  public void outputUnread(Consumer<Boolean> answer) {
    List<PipeReader> readers = output;
    if (readers.isEmpty()) {
      answer.accept(false);
      return;
    }
    loop.execute(() -> {
      boolean unread = readers.stream().anyMatch(PipeReader::unread);
      if (!unread) readers.forEach(PipeReader::finishLine); // an unterminated last line too
      answer.accept(unread);
    });
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
    if (cgroup != null) loop.execute(this::unwatch);
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
