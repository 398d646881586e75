package zinit.supervisor;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** One spawned instance (a service's main command or one test run). Loop-confined. */
final class Run {
  final ServiceProcess process;
  /** When it started, on the wall clock: shown as a time of day (/metrics' start time). */
  final Instant started;
  /** When it started, on the loop's monotonic clock: its uptime and run length are measured from this. */
  final long startedNanos;
  /** Completes on the loop once the main process is reaped and no process of the unit is left. */
  final CompletableFuture<Void> gone = new CompletableFuture<>();

  /** Null while the main process lives. */
  ExitStatus exit;
  /** True once zinit has sent the stop signal. */
  boolean terminating;
  /** True when the timeout ran out and everything was SIGKILLed. */
  boolean killed;
  Scheduler.Cancellable killTimer;
  /**
   * When the stop signals last reached a process after the stop began, on the loop's monotonic
   * clock (written off the loop by the signal pass, read by the kill timer); null when they all
   * went out with the stop.
   */
  volatile Long signalledLate;
  /** Why zinit ended this run on its own (a failed health check), for the exit's detail. */
  String endedBecause;
  /** Where its output goes, holding its marks in order; null when zinit reads none. */
  StartMarked output;

  Run(ServiceProcess process, Scheduler loop) {
    this.process = process;
    this.started = loop.now();
    this.startedNanos = loop.nanoTime();
  }

  /** How long it has run, by the loop's monotonic clock. */
  java.time.Duration uptime(Scheduler loop) {
    return java.time.Duration.ofNanos(loop.nanoTime() - startedNanos);
  }

  boolean mainAlive() {
    return exit == null;
  }
}
