package zinit.supervisor;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import zinit.config.ServiceConfig;

/** A monitored service: config, target and observed state. Loop-confined (no locks). */
final class Service {
  final ServiceConfig config;
  Target target = Target.Up;
  State state = State.Unknown;
  /** The last exit of the main process, shown in Error(...) states. */
  int lastPid;
  ExitStatus lastExit;
  String detail;

  /** zinit should spawn it as soon as dependencies and cleanup of the previous run allow. */
  boolean pendingStart;
  Run run;
  /** The output of the last run while its exit mark waits for its pipes to end; else null. */
  StartMarked exitMarkHeld;
  /** True while a spawn of the main command is in flight off the loop. */
  boolean spawning;
  Run testRun;
  /** True while a spawn of the test command is in flight off the loop. */
  boolean testSpawning;
  Scheduler.Cancellable restartTimer;
  Scheduler.Cancellable testTimer;
  Instant nextRestart;
  int restarts;
  int crashes;
  /** Liveness as the health checks found it; null without a check or before the first Running. */
  Health health;
  /** Processes of the service the OOM killer killed, over all its runs. */
  long oomKills;
  /** Starts within the start_limit's interval. */
  final StartHistory startHistory = new StartHistory();
  /** Non-null while a stop is in progress; completes when every process is gone. */
  CompletableFuture<Void> stopping;

  Service(ServiceConfig config) {
    this.config = config;
  }

  String name() {
    return config.name();
  }

  /** What list/status show, in the original's format (Rust's Debug of nix's WaitStatus). */
  String display() {
    if (state == State.Error && lastExit != null) {
      return switch (lastExit) {
        case ExitStatus.Exited(int code) -> "Error(Exited(Pid(" + lastPid + "), " + code + "))";
        case ExitStatus.Killed(int sig) ->
            "Error(Signaled(Pid(" + lastPid + "), " + signalName(sig) + ", false))";
      };
    }
    return state.name();
  }

  int pid() {
    return run != null && run.mainAlive() ? run.process.pid() : 0;
  }

  /** Whether any process of the service (main, leftovers, a test run, or one being spawned) may be alive. */
  boolean hasProcesses() {
    return run != null || testRun != null || spawning || testSpawning
        || (health != null && (health.run != null || health.spawning));
  }

  private static String signalName(int number) {
    return zinit.config.Signal.ofNumber(number).map(Enum::name).orElse("SIG" + number);
  }
}
