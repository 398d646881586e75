package zinit.supervisor;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import zinit.config.Signal;

/**
 * One spawned unit: its main process and every process it ever starts (tracked by its cgroup, or
 * by process group and descendants where cgroups are not available). Signals go only to processes
 * proven to belong to the unit (pidfd or cgroup membership), never to a raw pid that may have been
 * reused.
 */
public interface ServiceProcess {
  /** The main process's pid (for display; never signalled by number). */
  int pid();

  /**
   * Completes with the main process's status once zinit's reaper has reaped it, possibly on the
   * reaper's own thread: dependent stages must be short and must not wait for another exit (hand
   * anything longer to a loop).
   */
  CompletableFuture<ExitStatus> exit();

  /**
   * Sends each of {@code signals}, in order, to every process the unit has when the call is made
   * (cgroup: frozen for the pass, so none forks meanwhile, or, for a unit whose only process is its
   * main one and dies of the signal, checked for forks after sending; fallback: re-read until a
   * pass finds no new process), never to one it starts afterwards. Returns how many processes got
   * them.
   */
  int signalAll(Signal... signals);

  /**
   * {@link #signalAll} begun at once where the signals can go out without waiting for anything
   * (e.g. a unit whose only process is its main one). Returns the rest of the pass, a check that
   * may block and belongs off the caller's thread and answers true when it found processes the
   * first signals may have missed (and sent them the signals), or empty when nothing was sent and
   * {@link #signalAll} must be used instead.
   */
  default java.util.Optional<java.util.function.BooleanSupplier> signalAllAtOnce(Signal... signals) {
    return java.util.Optional.empty();
  }

  /**
   * Sends {@code signal} to the main process only (what `zinit kill` does, like the original),
   * through its pidfd. Returns false when the main process has already exited.
   */
  boolean signalMain(Signal signal);

  /** SIGKILLs every process of the unit (cgroup.kill where available). */
  void killAll();

  /** Completes when no process of the unit is left alive (all exited; zombies reaped or not). */
  CompletableFuture<Void> empty();

  /** Pids of the live processes of the unit, main first if alive. */
  List<Integer> pids();

  /** Resource use now. */
  ProcessStats stats();

  /** Cumulative resource use now, for metrics. */
  Usage usage();

  /**
   * What limits the tracking of this unit now, e.g. its main process left its cgroup; shown in
   * `status` as the detail.
   */
  default java.util.Optional<String> trackingNote() {
    return java.util.Optional.empty();
  }

  /**
   * Calls {@code listener} once, on any thread, with a log line (unit name first) when a
   * {@link #trackingNote()} appears.
   */
  default void onTrackingNote(java.util.function.Consumer<String> listener) {}

  /** Whether a cgroup tracks this unit (else: best effort by process group and descendants). */
  boolean cgroupTracked();

  /**
   * The unit's cgroup figures where limits apply (memory_current, cpu_usage_usec, pids_current);
   * empty without limits.
   */
  default java.util.Map<String, Object> limitStats() {
    return java.util.Map.of();
  }

  /** Limits of the spawn that could not be applied (no such controller here), by key. */
  default List<String> unappliedLimits() {
    return List.of();
  }

  /** How many processes of the unit the OOM killer killed (0 without a memory limit). */
  default long oomKills() {
    return 0;
  }

  /**
   * Calls {@code answer}, on the thread that reads the process's output pipes and between its
   * reads, with whether one of them still holds what zinit has not read: data, or its end. When
   * none does, an unterminated last line the reader kept goes out first, as a line of its own, so
   * false means every byte written so far has reached the output's sink. By default false: no pipes.
   */
  default void outputUnread(java.util.function.Consumer<Boolean> answer) {
    answer.accept(false);
  }

  /** Frees the unit's cgroup and descriptors; call once {@link #empty()} has completed. */
  void close();
}
