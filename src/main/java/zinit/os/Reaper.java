package zinit.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import zinit.supervisor.ExitStatus;

/**
 * The one thread that reaps every child of this process, orphans included. It is process-wide
 * (waitid(P_ALL) sees every child, so two reapers would steal each other's exits) and shared by
 * every open host.
 *
 * <p>No exit is lost and no pid confused: the reaper first waits with WNOWAIT (the zombie keeps
 * its pid), then takes {@link #gate} exclusively, which every spawn holds (shared, so spawns run
 * in parallel) across posix_spawn + pidfd_open + {@link #register}, and only then reaps that pid
 * and looks it up. When there is no child, or no host is open, it blocks on a condition until the
 * next spawn or host; it never spins. As PID 1 a child can also come without a spawn: the orphan of
 * a process entered into the namespace from outside (`docker exec`, `nsenter`). So with no child
 * a PID 1 reaper also wakes on SIGCHLD.
 *
 * <p>Where the launcher blocked SIGCHLD (with the stop signals, see {@link SignalWait}), this
 * thread takes it itself, with sigwaitinfo(2), and only while (PID 1) it has no child: a blocked
 * SIGCHLD stays pending (one, however many exits) until taken, so an exit between the waitid that
 * found no child and the sigwaitinfo still wakes it, and while zinit has children no thread wakes
 * for SIGCHLD at all (taken by the signal thread, it would wake that thread at every exit). A
 * spawn need not wake it: the new child's exit does. No thread is made for the signal, so it
 * works when no thread can be made (a pids limit zinit shares with a service). Elsewhere (no GNU
 * env) it catches SIGCHLD through the JDK, only then (the JDK runs each caught signal on a new
 * thread, which a full process table denies: such orphans then wait for the next spawn).
 */
final class Reaper {
  /** Called on the reaper thread for every reaped process; must be quick. */
  interface Listener {
    void reaped(int pid, ExitStatus status, boolean registered);

    /** Where the reaper reports its own troubles. */
    void log(String message);
  }

  private static final Reaper INSTANCE = new Reaper();

  /** Shared by spawns between posix_spawn and register; exclusive while a child is reaped. */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Condition reapedCond = lock.newCondition();
  // Written by spawns holding the gate shared; read and emptied by the reaper holding it exclusively.
  private final Map<Integer, Consumer<ExitStatus>> registry = new ConcurrentHashMap<>();
  // Guarded by lock.
  private long spawns;
  private long reaps;
  private int hosts;
  private Thread thread;
  // PID 1 only: SIGCHLDs caught through the JDK while the reaper had no child (see run); armed,
  // uncatchable and childSet are the reaper thread's.
  private final java.util.concurrent.atomic.AtomicLong childSignals = new java.util.concurrent.atomic.AtomicLong();
  private boolean armed;
  private boolean uncatchable;
  /** SIGCHLD alone, for sigwaitinfo; null unless PID 1 with SIGCHLD blocked. */
  private MemorySegment childSet;

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  static Reaper get() {
    return INSTANCE;
  }

  /** A host opens: start the thread on first use, and become subreaper unless PID 1. */
  void attach(Listener listener) {
    lock.lock();
    try {
      listeners.add(listener);
      hosts++;
      if (thread == null) {
        if (Libc.getpid() != 1) {
          Libc.prctl(Flags.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0).orThrow("prctl(PR_SET_CHILD_SUBREAPER)");
        }
        thread = Thread.ofPlatform().daemon().name("zinit-reaper").start(this::run);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void detach(Listener listener) {
    lock.lock();
    try {
      if (listeners.remove(listener)) hosts--;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs a spawn with reaping held off; it must call {@link #register} for its child. Spawns on
   * several threads run at the same time.
   */
  interface Spawn<T, E extends Exception> {
    T run() throws E;
  }

  <T, E extends Exception> T spawnLocked(Spawn<T, E> spawn) throws E {
    gate.readLock().lock();
    try {
      return spawn.run();
    } finally {
      gate.readLock().unlock();
      lock.lock();
      try {
        spawns++;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Only inside {@link #spawnLocked}: {@code onExit} gets the child's status, on this thread. */
  void register(int pid, Consumer<ExitStatus> onExit) {
    if (gate.getReadHoldCount() == 0) throw new IllegalStateException("register outside spawn");
    registry.put(pid, onExit);
  }

  /** Count of reaped processes so far; with {@link #awaitReapAfter} waits for the next reap. */
  long reapCount() {
    lock.lock();
    try {
      return reaps;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until more than {@code seen} processes were reaped or the deadline passes. */
  void awaitReapAfter(long seen, long deadlineNanos) throws InterruptedException {
    lock.lock();
    try {
      while (reaps <= seen) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) return;
        reapedCond.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(Flags.SIGINFO_SIZE);
      boolean pid1 = Libc.getpid() == 1;
      if (pid1 && SignalWait.childSignalBlocked()) childSet = SignalWait.setOf(arena, Flags.SIGCHLD);
      for (; ; ) {
        long spawnsSeen = awaitHostsAndSpawnCount();
        long signalsSeen = childSignals.get();
        info.fill((byte) 0);
        Libc.Ret r = Libc.waitid(Flags.P_ALL, 0, info, Flags.WEXITED | Flags.WNOWAIT);
        if (r.failed()) {
          switch (r.errno()) {
            case Errno.EINTR -> {} // a signal interrupted the wait: wait again
            // no child at all: sleep until one is spawned or, as PID 1, one is handed to us and
            // dies (SIGCHLD: taken here where blocked, else caught through the JDK, and once
            // caught, wait again first, for a child that died before)
            case Errno.ECHILD -> {
              if (!pid1 || uncatchable) awaitSpawnOrSignal(spawnsSeen, -1);
              else if (childSet != null) takeChildSignal(info);
              else if (!armed) armed = catchChildSignals(true);
              else awaitSpawnOrSignal(spawnsSeen, signalsSeen);
            }
            default -> {
              report("reaper: " + new OsException("waitid(P_ALL)", r.errno()).getMessage());
              awaitSpawnOrSignal(spawnsSeen, -1);
            }
          }
          continue;
        }
        if (armed) armed = catchChildSignals(false);
        reapOne(info.get(ValueLayout.JAVA_INT, Flags.SIGINFO_PID), info);
      }
    } catch (Throwable t) {
      report("reaper died: " + t);
      throw t;
    }
  }

  private void reapOne(int pid, MemorySegment info) {
    ExitStatus status;
    Consumer<ExitStatus> watcher;
    gate.writeLock().lock();
    try {
      info.fill((byte) 0);
      Libc.Ret r = Libc.waitid(Flags.P_PID, pid, info, Flags.WEXITED);
      if (r.failed()) {
        // ECHILD: someone else in this process reaped it between our peek and now (a stray
        // waitpid, e.g. the JDK's own process reaper); nothing is left for us to report.
        if (r.errno() != Errno.ECHILD && r.errno() != Errno.EINTR) {
          report("reaper: " + new OsException("waitid(P_PID, " + pid + ")", r.errno()).getMessage());
        }
        return;
      }
      status = decode(info);
      watcher = registry.remove(pid);
    } finally {
      gate.writeLock().unlock();
    }
    lock.lock();
    try {
      reaps++;
      reapedCond.signalAll();
    } finally {
      lock.unlock();
    }
    if (watcher != null) watcher.accept(status);
    for (Listener l : listeners) l.reaped(pid, status, watcher != null);
  }

  static ExitStatus decode(MemorySegment info) {
    int code = info.get(ValueLayout.JAVA_INT, Flags.SIGINFO_CODE);
    int value = info.get(ValueLayout.JAVA_INT, Flags.SIGINFO_STATUS);
    return switch (code) {
      case Flags.CLD_EXITED -> new ExitStatus.Exited(value);
      case Flags.CLD_KILLED, Flags.CLD_DUMPED -> new ExitStatus.Killed(value);
      default -> throw new IllegalStateException("waitid(WEXITED) reported si_code " + code);
    };
  }

  private long awaitHostsAndSpawnCount() {
    lock.lock();
    try {
      // With no host open nobody wants our exits; leave children to whoever else waits for them.
      while (hosts == 0) changed.awaitUninterruptibly();
      return spawns;
    } finally {
      lock.unlock();
    }
  }

  /** Until a spawn after {@code seen}, or a SIGCHLD after {@code signalsSeen} (-1: not caught). */
  private void awaitSpawnOrSignal(long seen, long signalsSeen) {
    lock.lock();
    try {
      while (spawns == seen && (signalsSeen < 0 || childSignals.get() == signalsSeen)) changed.awaitUninterruptibly();
    } finally {
      lock.unlock();
    }
  }

  /** Waits for a pending SIGCHLD and takes it (see the class). */
  private void takeChildSignal(MemorySegment info) {
    Libc.Ret r = Libc.sigwaitinfo(childSet, info);
    if (r.failed() && r.errno() != Errno.EINTR) { // EINTR: the caller waits again
      // blocked in every thread, it can reach no handler either
      report("reaper: " + new OsException("sigwaitinfo(SIGCHLD)", r.errno()).getMessage()
          + "; orphans handed to PID 1 wait for the next spawn");
      uncatchable = true;
    }
  }

  /**
   * Catches SIGCHLD (counted in {@link #childSignals}), or gives it back its default action
   * (ignored; never SIG_IGN, which would make the kernel reap our children for us). Returns
   * whether it is caught now.
   */
  private boolean catchChildSignals(boolean on) {
    sun.misc.Signal chld = new sun.misc.Signal("CHLD");
    try {
      sun.misc.Signal.handle(chld, on ? sig -> {
        childSignals.incrementAndGet();
        lock.lock();
        try {
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      } : sun.misc.SignalHandler.SIG_DFL);
      return on;
    } catch (IllegalArgumentException | IllegalStateException e) {
      report("reaper: cannot catch SIGCHLD (" + e.getMessage() + "); orphans handed to PID 1 wait for the next spawn");
      uncatchable = true;
      return false;
    }
  }

  private void report(String message) {
    for (Listener l : listeners) l.log(message);
    if (listeners.isEmpty()) System.err.println("zinit: " + message);
  }
}
