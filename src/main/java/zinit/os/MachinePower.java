package zinit.os;

/** reboot(2): Ctrl-Alt-Del, power-off and restart, for PID 1 only. */
public final class MachinePower {
  private MachinePower() {}

  /** Whether this process is the machine's init: PID 1 of the initial PID namespace (needs /proc). */
  public static boolean machineInit() {
    // ProcessHandle's pid, not libc's: a client command must not bind its first FFM call for this
    return ProcessHandle.current().pid() == 1 && ApiMounts.initialPidNamespace();
  }

  /**
   * As PID 1: Ctrl-Alt-Del becomes SIGINT to this process (a graceful reboot) instead of the
   * kernel's immediate reboot. Null when done or not PID 1, else why it failed.
   */
  public static String trapCtrlAltDel() {
    if (Libc.getpid() != 1) return null;
    Libc.Ret r = Libc.reboot(Flags.RB_DISABLE_CAD);
    if (!r.failed() || r.errno() == Errno.EINVAL) return null;
    return new OsException("reboot(RB_DISABLE_CAD)", r.errno()).getMessage();
  }

  /** Syncs, then powers off or restarts the machine (as PID 1 of a PID namespace: ends it). Does not return. */
  public static void reboot(boolean restart) {
    if (Libc.getpid() != 1) throw new IllegalStateException("reboot(2) only as PID 1; this is pid " + Libc.getpid());
    Libc.sync();
    Libc.reboot(restart ? Flags.RB_AUTOBOOT : Flags.RB_POWER_OFF).orThrow(restart ? "reboot(RB_AUTOBOOT)" : "reboot(RB_POWER_OFF)");
    throw new IllegalStateException("reboot(2) returned");
  }
}
