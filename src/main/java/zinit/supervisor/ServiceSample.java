package zinit.supervisor;

import java.time.Instant;

/**
 * One service as metrics see it, taken in one pass over the supervisor's state.
 *
 * @param startedOrNull when the current run was spawned, or null when none runs
 * @param lastExitOrNull how the main process last exited, or null when it never did
 * @param usageOrNull the current run's resource use, or null when none runs
 */
public record ServiceSample(
    String name,
    State state,
    Target target,
    int restarts,
    Instant startedOrNull,
    ExitStatus lastExitOrNull,
    Usage usageOrNull,
    Long oomKillsOrNull) {

  /** Whether the service is where its target wants it: Up and Running (or a finished oneshot). */
  public boolean ready() {
    return target != Target.Up || state == State.Running || state == State.Success;
  }
}
