package zinit.supervisor;

import java.time.Duration;
import java.util.function.Consumer;
import zinit.config.RestartPolicy;

/**
 * When a service that ended (or failed to spawn) starts again: its crash count, the delay by its
 * restart_delay(_max), and the restart timer. Runs on {@link Lifecycle}'s loop and changes only the
 * service's restart fields; the service's state stays the loop's.
 */
final class Restarts {
  private final Scheduler loop;
  private final Backoff backoff;
  /** Marks a service as waiting to start and starts what can start. */
  private final Consumer<Service> startPending;

  Restarts(Scheduler loop, Backoff backoff, Consumer<Service> startPending) {
    this.loop = loop;
    this.backoff = backoff;
    this.startPending = startPending;
  }

  /** Counts the crash of {@code run} (a healthy run resets the count) and returns the delay before the restart. */
  Duration afterCrash(Service s, Run run) {
    Duration ran = run.uptime(loop);
    s.crashes = backoff.healthy(ran) ? 1 : s.crashes + 1;
    return restartDelay(s);
  }

  /** The delay before the next restart, by the service's restart_delay(_max) and its crash count. */
  Duration restartDelay(Service s) {
    RestartPolicy policy = s.config.restart();
    return new Backoff(policy.delay(), policy.delayMax(), backoff.healthyAfter()).delay(s.crashes);
  }

  void scheduleRestart(Service s, Duration delay) {
    s.restarts++;
    s.nextRestart = loop.now().plus(delay);
    s.restartTimer =
        loop.schedule(
            delay,
            () -> {
              s.restartTimer = null;
              s.nextRestart = null;
              if (s.target != Target.Up) return;
              startPending.accept(s);
            });
  }
}
