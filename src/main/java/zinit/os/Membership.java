package zinit.os;

import java.util.List;

/** Which processes belong to a unit: a cgroup, or (fallback) a process group plus descendants. */
interface Membership {
  /** Pids that may belong to the unit now, unverified, without zombies. */
  List<Integer> candidates();

  /**
   * Whether the process whose stat was read AFTER a pidfd to it was opened belongs to the unit.
   * Reading after opening is what makes this safe: if the pid was reused in between, the pidfd
   * refers to the old, exited process and a signal through it fails with ESRCH.
   */
  boolean verify(ProcFs.Stat stat);

  boolean cgroup();
}
