package zinit.os;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Delivers a signal to every verified member of a unit through pidfds, re-reading membership until
 * a pass finds nobody new, so children forked while we signal get it too.
 */
final class Signaller {
  private Signaller() {}

  /** Upper bound on passes: a service forking faster than we can read cannot keep us here. */
  static final int MAX_PASSES = 32;

  /**
   * @param main the main process's pidfd, held since spawn (provably ours whatever its cgroup)
   * @return how many processes got the signal
   */
  static int signalAll(Membership members, Pidfd main, ProcFs.Key mainKey, int signal) {
    return signal(members, main, mainKey, signal, MAX_PASSES);
  }

  /**
   * One pass: for a frozen unit, which cannot fork, that reaches every process there is, and
   * leaves alone the children a stop handler starts once it runs.
   */
  static int signalOnce(Membership members, Pidfd main, ProcFs.Key mainKey, int signal) {
    return signal(members, main, mainKey, signal, 1);
  }

  private static int signal(
      Membership members, Pidfd main, ProcFs.Key mainKey, int signal, int passes) {
    Set<ProcFs.Key> done = new HashSet<>();
    int count = main.trySignal(signal) ? 1 : 0;
    done.add(mainKey);
    for (int pass = 0; pass < passes; pass++) {
      boolean fresh = false;
      for (int pid : members.candidates()) {
        Optional<Pidfd> fd = Pidfd.tryOpen(pid);
        if (fd.isEmpty()) continue; // ESRCH: exited since the listing
        try (Pidfd pidfd = fd.get()) {
          Optional<ProcFs.Stat> stat = ProcFs.stat(pid); // read after pidfd_open, see Membership
          if (stat.isEmpty() || !done.add(stat.get().key()) || !members.verify(stat.get())) continue;
          fresh = true;
          if (pidfd.trySignal(signal)) count++;
        }
      }
      if (!fresh) break;
    }
    return count;
  }
}
