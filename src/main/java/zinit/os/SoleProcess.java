package zinit.os;

import java.nio.charset.StandardCharsets;
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
 *   <li>the unit has no sub-cgroup (cgroup.stat) and cgroup.procs lists no process but main;
 *   <li>/proc/main/status shows one thread, no tracer, and the signal neither blocked, ignored nor
 *       caught: the kernel then turns it into a group kill as it is sent, and a fork that has not
 *       yet attached its child fails (copy_process checks for a fatal signal under the sighand
 *       lock, the lock the sender takes);
 *   <li>the signal goes through the pidfd held since spawn;
 *   <li>afterwards main has no child (/proc/main/task/main/children: a fork that got past that
 *       check is listed there before the sender gets the lock), still one thread (a thread
 *       started since step 2 would list its children under itself), and the unit still has no
 *       other process and no sub-cgroup (a child already re-parented because main died was
 *       attached to the cgroup before main could act on the signal).
 * </ol>
 * If step 1 or 2 fails nothing is sent and the caller freezes as before. Step 4 runs after the
 * signal is out, off the stop's critical path; if it finds another process, the caller runs its
 * frozen pass, which reaches it (the main process may get the signal twice, which a default action
 * that kills does not notice).
 */
final class SoleProcess {
  private SoleProcess() {}

  /** Signals whose default action does not end the process. */
  private static final Set<Integer> NOT_FATAL =
      Stream.of(Signal.SIGCHLD, Signal.SIGCONT, Signal.SIGSTOP, Signal.SIGTSTP, Signal.SIGTTIN,
              Signal.SIGTTOU, Signal.SIGURG, Signal.SIGWINCH)
          .map(Signal::number)
          .collect(Collectors.toUnmodifiableSet());

  /**
   * Steps 1 to 3: sends {@code signals} to main when the unit has no other process and the first
   * signal kills it by default. False when nothing was sent (conditions not met, or main already
   * gone): the caller runs its frozen pass instead.
   */
  static boolean send(Cgroup cgroup, Pidfd main, ProcFs.Key mainKey, boolean mainReaped, int[] signals) {
    if (mainReaped || NOT_FATAL.contains(signals[0])) return false;
    int pid = mainKey.pid();
    if (!alone(cgroup, pid)) return false;
    Optional<ProcFs.Signals> how =
        ProcFs.readSmall("/proc/" + pid + "/status", 4096).map(ProcFs::parseSignals);
    if (how.isEmpty()) return false; // exited meanwhile
    ProcFs.Signals s = how.get();
    if (s.threads() != 1 || s.tracerPid() != 0 || !s.takesDefault(signals[0])) return false;
    // Reached: main was alive when the signal went, so it was main that the reads above saw (a
    // pid is not reused before its process is reaped). Not reached: it died before; its children,
    // if it made any just then, are for the frozen pass.
    // The first signal only: it kills even a stopped process (the kernel turns it into a group
    // kill, which wakes it), so the SIGCONT that follows a stop signal adds nothing here.
    return main.trySignal(signals[0]);
  }

  /**
   * Step 4, after {@link #send}: whether a process other than main may have existed when the
   * signal was sent (a fork racing with it). Valid whenever it runs, so it need not delay a stop:
   * main can no longer fork, and whatever it forked before is listed as its child while it lives
   * and in the cgroup once it has died.
   */
  static boolean othersAppeared(Cgroup cgroup, ProcFs.Key mainKey) {
    int pid = mainKey.pid();
    String proc = "/proc/" + pid;
    boolean childless =
        ProcFs.readSmall(proc + "/task/" + pid + "/children", 64).map(String::isBlank).orElse(true);
    // A thread started since the status was read may have forked: its children are not main's.
    boolean oneThread =
        ProcFs.readSmall(proc + "/status", 4096)
            .map(t -> ProcFs.parseSignals(t).threads() <= 1)
            .orElse(true);
    return !(childless && oneThread && alone(cgroup, pid));
  }

  /** Whether the unit has no process but main (maybe not even main) and no sub-cgroups. */
  private static boolean alone(Cgroup cgroup, int mainPid) {
    byte[] buf = new byte[64];
    int n = ProcFs.readStart(cgroup.procsFile, buf);
    if (n < 0) return true; // removed: empty
    if (!onlyPid(buf, n, mainPid)) return false;
    // Sub-cgroups: their processes would need a listing each; the frozen pass does that.
    n = ProcFs.readStart(cgroup.statFile, buf);
    return n < 0 || ProcFs.startsWith(buf, n, NO_DESCENDANTS);
  }

  private static final byte[] NO_DESCENDANTS = "nr_descendants 0\n".getBytes(StandardCharsets.US_ASCII);

  /**
   * Whether {@code listing[0, n)}, a cgroup.procs (a pid per line), lists no pid but {@code pid}.
   * A listing cut by the buffer may end in part of a pid, which then reads as another one: false,
   * the careful answer.
   */
  static boolean onlyPid(byte[] listing, int n, int pid) {
    long value = 0;
    boolean digits = false;
    for (int i = 0; i < n; i++) {
      byte c = listing[i];
      if (c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        digits = true;
      } else if (c == '\n') {
        if (digits && value != pid) return false;
        value = 0;
        digits = false;
      } else {
        return false;
      }
    }
    return !digits || value == pid;
  }
}
