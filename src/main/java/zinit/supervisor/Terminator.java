package zinit.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import zinit.config.ServiceConfig;
import zinit.config.Signal;

/**
 * The graceful end of one run, on the loop: stop signal, then SIGKILL when the timeout passes,
 * then an error if even that leaves processes behind. It decides nothing about the service: what
 * happened (SIGKILL sent, processes that survived it) goes back to the lifecycle as events, and
 * completion is {@link Run#gone}, reported by the lifecycle when the unit's processes are all gone.
 */
final class Terminator {
  /** After SIGKILL, how long to wait before reporting that processes could not be removed. */
  static final Duration KILL_GRACE = Duration.ofSeconds(10);
  /** How long after an at-once stop signal its fork check runs, unless the unit is gone by then. */
  static final Duration FORK_CHECK_DELAY = Duration.ofMillis(5);
  /**
   * The same in a shutdown, where the signalled processes queue for the CPUs to die (100 on two
   * CPUs: the last some 20 ms after its signal); checks 5 ms after each signal would read the files
   * of nearly every unit for nothing, on the CPUs the dying need.
   */
  static final Duration SHUTDOWN_FORK_CHECK_DELAY = Duration.ofMillis(100);

  private final Scheduler loop;
  private final Executor signaller;
  private final LogSink log;
  private final Events events;
  // fork checks of at-once stop signals, due at the next timer (loop thread only)
  private final List<Runnable> forkChecks = new ArrayList<>();

  /** What a termination reports back to the lifecycle, on the loop. */
  interface Events {
    /** The timeout passed and the run's processes were SIGKILLed. */
    void killed(Service s, Run run);

    /** Processes outlived SIGKILL by {@link #KILL_GRACE}; {@code message} names them. */
    void unkillable(Service s, Run run, String message);
  }

  Terminator(Scheduler loop, Executor signaller, LogSink log, Events events) {
    this.loop = loop;
    this.signaller = signaller;
    this.log = log;
    this.events = events;
  }

  /**
   * The stop signal (and SIGCONT, so a stopped process can act on it) to
   * every process of the unit; SIGKILL to whatever is left when the timeout passes. Completion
   * is {@link Run#gone}, driven by events. {@code inShutdown}: one of many units stopped at once.
   */
  void terminate(Service s, Run run, boolean inShutdown) {
    ServiceConfig c = s.config;
    if (run.terminating || run.gone.isDone()) return;
    run.terminating = true;
    Signal stop = c.stopSignal();
    Signal[] signals =
        stop == Signal.SIGKILL || stop == Signal.SIGCONT
            ? new Signal[] {stop}
            : new Signal[] {stop, Signal.SIGCONT};
    // Off the loop: a signal pass may wait for the unit to freeze, and a shutdown signals many
    // units at once. The kill timer below is armed meanwhile; a late signal to a unit that is
    // already gone reaches nobody. A unit whose signals can go out at once (one process, nothing
    // to wait for) gets them here, which spares a stop a thread hop; the rest of its pass follows
    // on the signaller.
    // A process the signals reach later than now (a fork the at-once signal raced with, found by
    // its check; or every process, when the pass must first freeze the unit) gets its full timeout
    // from then: the kill timer below waits for the latest of them (Run#signalledLate).
    java.util.Optional<BooleanSupplier> atOnce = signalAtOnce(c, run, signals, stop);
    Runnable pass =
        atOnce.isPresent()
            ? () -> {
              if (atOnce.get().getAsBoolean()) run.signalledLate = loop.nanoTime();
            }
            : () -> {
              if (run.process.signalAll(signals) > 0) run.signalledLate = loop.nanoTime();
            };
    Runnable onSignaller =
        () ->
            signaller.execute(
                () -> {
                  try {
                    pass.run();
                  } catch (RuntimeException e) {
                    log.zinit(c.name() + ": sending " + stop + " failed: " + e.getMessage()
                        + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
                  }
                });
    // The rest of an at-once signal is its check for a fork that raced with it, valid whenever it
    // runs: not while the process dies and the stop is answered (on two CPUs its reads delay both),
    // and not at all once every process is gone, as after nearly every stop.
    if (atOnce.isPresent()) checkLater(inShutdown ? SHUTDOWN_FORK_CHECK_DELAY : FORK_CHECK_DELAY, () -> {
      if (!run.gone.isDone()) onSignaller.run();
    });
    else onSignaller.run();
    armKillTimer(s, run, c.shutdownTimeout());
  }

  /**
   * SIGKILL to whatever is left once {@code delay} has passed, and the stop timeout also since the
   * latest late signal: no process is killed before its grace.
   */
  private void armKillTimer(Service s, Run run, Duration delay) {
    ServiceConfig c = s.config;
    Signal stop = c.stopSignal();
    run.killTimer =
        loop.schedule(
            delay,
            () -> {
              if (run.gone.isDone()) return;
              Long late = run.signalledLate;
              if (late != null) {
                Duration left = c.shutdownTimeout().minusNanos(loop.nanoTime() - late);
                if (left.isPositive()) {
                  armKillTimer(s, run, left);
                  return;
                }
              }
              events.killed(s, run);
              log.zinit(
                  c.name()
                      + ": still running "
                      + c.shutdownTimeout().toMillis()
                      + " ms after "
                      + stop
                      + ", sending SIGKILL to "
                      + run.process.pids());
              run.process.killAll();
              run.killTimer = loop.schedule(KILL_GRACE, () -> reportUnkillable(s, run));
            });
  }

  /**
   * Runs {@code check} after {@code delay}, with the others due by then: one timer for all the
   * stops of a shutdown, not one each. A check added while a timer is set runs with that timer.
   */
  private void checkLater(Duration delay, Runnable check) {
    forkChecks.add(check);
    if (forkChecks.size() == 1) loop.schedule(delay, this::runForkChecks);
  }

  private void runForkChecks() {
    List<Runnable> due = List.copyOf(forkChecks);
    forkChecks.clear();
    due.forEach(Runnable::run);
  }

  private java.util.Optional<BooleanSupplier> signalAtOnce(ServiceConfig c, Run run, Signal[] signals, Signal stop) {
    try {
      return run.process.signalAllAtOnce(signals);
    } catch (RuntimeException e) {
      log.zinit(c.name() + ": sending " + stop + " at once failed: " + e.getMessage());
      return java.util.Optional.empty(); // the signaller tries again, the careful way
    }
  }

  /**
   * A process that outlives SIGKILL (stuck in uninterruptible sleep) cannot be verified gone: the
   * stop fails with the pids instead of hanging; it completes for real if they die later.
   */
  private void reportUnkillable(Service s, Run run) {
    if (run.gone.isDone()) return;
    String message = s.name() + ": processes survived SIGKILL: " + run.process.pids();
    log.zinit(message);
    events.unkillable(s, run, message);
  }

}
