package zinit.os;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import zinit.config.Signal;

/**
 * The stop signal for a unit whose only process is its main one, without freezing the unit.
 *
 * <p>Freezing exists so that a pass reaches exactly the processes there are when the signal is
 * sent: none can fork meanwhile. Freezing costs two wake-ups of every process (freeze, then thaw
 * and act on the signal) and a wait for the kernel to report the unit frozen, most of a stop's
 * latency when the unit is one {@code sleep}. With one process the same guarantee holds without
 * it, when the signal's default action applies and kills:
 * <ol>
 *   <li>cgroup.procs of the unit and its sub-cgroups lists no process but the main one;
 *   <li>/proc/main/status shows one thread, no tracer, and the signal neither blocked, ignored nor
 *       caught: the kernel then turns it into a group kill as it is sent, and a fork that has not
 *       yet attached its child fails (copy_process checks for a fatal signal under the sighand
 *       lock, the lock the sender takes);
 *   <li>the signal goes through the pidfd held since spawn;
 *   <li>afterwards no thread of main has a child (/proc/main/task/&#42;/children: a fork that got
 *       past that check is listed there before the sender gets the lock) and cgroup.procs still
 *       lists nobody else (a child already re-parented because main died was attached to the
 *       cgroup before main could act on the signal).
 * </ol>
 * If step 1 or 2 fails nothing is sent and the caller freezes as before; if step 4 finds another
 * process, the caller also runs its frozen pass, which reaches it (the main process gets the
 * signal twice, which a default action that kills does not notice).
 */
final class SoleProcess {
  private SoleProcess() {}

  /** Signals whose default action does not end the process. */
  private static final Set<Integer> NOT_FATAL =
      Stream.of(Signal.SIGCHLD, Signal.SIGCONT, Signal.SIGSTOP, Signal.SIGTSTP, Signal.SIGTTIN,
              Signal.SIGTTOU, Signal.SIGURG, Signal.SIGWINCH)
          .map(Signal::number)
          .collect(Collectors.toUnmodifiableSet());

  /** What a sole-process attempt did. */
  enum Outcome {
    /** Conditions not met; nothing was sent. */
    NOT_SOLE,
    /** Sent; the unit had no other process. */
    DONE,
    /** Sent to main, but another process turned up: the caller must run its frozen pass. */
    OTHERS
  }

  static Outcome signal(Cgroup cgroup, Pidfd main, ProcFs.Key mainKey, boolean mainReaped, int[] signals) {
    if (mainReaped || NOT_FATAL.contains(signals[0])) return Outcome.NOT_SOLE;
    int pid = mainKey.pid();
    String procs = cgroup.dir().resolve("cgroup.procs").toString();
    String stat = cgroup.dir().resolve("cgroup.stat").toString();
    String proc = "/proc/" + pid;
    if (!alone(procs, stat, pid)) return Outcome.NOT_SOLE;
    Optional<ProcFs.Signals> how = Fds.tryReadSmall(proc + "/status", 4096).map(ProcFs::parseSignals);
    if (how.isEmpty()) return Outcome.NOT_SOLE; // exited meanwhile: the frozen pass handles the rest
    ProcFs.Signals s = how.get();
    if (s.threads() != 1 || s.tracerPid() != 0 || !s.takesDefault(signals[0])) return Outcome.NOT_SOLE;
    // Reached: main was alive when the signal went, so it was main that the reads above saw (a
    // pid is not reused before its process is reaped). Not reached: let the frozen pass look.
    boolean reached = false;
    for (int signal : signals) reached |= main.trySignal(signal);
    if (!reached) return Outcome.OTHERS;
    boolean childless = Fds.tryReadSmall(proc + "/task/" + pid + "/children", 64).map(String::isBlank).orElse(true);
    // A thread started since the status was read may have forked: its children are not main's.
    boolean oneThread = Fds.tryReadSmall(proc + "/status", 4096).map(t -> ProcFs.parseSignals(t).threads() <= 1).orElse(true);
    return childless && oneThread && alone(procs, stat, pid) ? Outcome.DONE : Outcome.OTHERS;
  }

  /** Whether the unit has no process but main (maybe not even main) and no sub-cgroups. */
  private static boolean alone(String procs, String stat, int mainPid) {
    Optional<String> listed = Fds.tryReadSmall(procs, 64);
    if (listed.isEmpty()) return true; // removed: empty
    for (String line : listed.get().split("\n")) {
      if (!line.isBlank() && Integer.parseInt(line.trim()) != mainPid) return false;
    }
    // Sub-cgroups: their processes would need a listing each; the frozen pass does that.
    return Fds.tryReadSmall(stat, 256).map(t -> t.startsWith("nr_descendants 0\n")).orElse(true);
  }
}
