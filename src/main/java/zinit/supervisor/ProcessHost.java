package zinit.supervisor;

import java.time.Duration;
import java.util.List;

/** The supervisor's whole view of the operating system; the native layer implements it. */
public interface ProcessHost {

  /** Starts a unit in its own session (and cgroup, entered before its program runs). */
  ServiceProcess spawn(SpawnSpec spec) throws SpawnException;

  /** Whether spawns are tracked by cgroups. */
  boolean cgroupsEnabled();

  /**
   * Shutdown's last sweep: every process still in zinit's tree (children, subreaped orphans, the
   * remains of any unit) gets SIGTERM, then SIGKILL after {@code grace} unless gone. Returns the
   * pids that could not be removed (empty on success). Blocks until done.
   */
  List<Integer> sweep(Duration grace);

  /** sync(2). */
  void sync();

  /** Whether zinit is PID 1 of its PID namespace. */
  boolean isPid1();

  /** reboot(2) power-off or restart. Only ever called when {@link #isPid1()}. Does not return. */
  void reboot(boolean restart);

  /** Releases zinit's base cgroup and stops the host's threads. */
  void close();
}
