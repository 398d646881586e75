package zinit.daemon;

/** `zinit init`: wires the native host, the supervisor and the control plane, then runs. */
public final class Daemon {
  private Daemon() {}

  /** Runs until shutdown; returns the process exit code (or does not return after reboot(2)). */
  public static int run(DaemonOptions options) {
    throw new UnsupportedOperationException("not wired yet");
  }
}
