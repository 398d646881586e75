package zinit.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What `status` shows.
 *
 * @param state the display string, e.g. "Running" or "Error(Exited(Pid(12), 1))"
 * @param after each dependency's display state ("Unknown" when not monitored)
 * @param restarts how many times zinit restarted the service since it was last started by hand
 * @param nextRestart when the next restart attempt is due, or null when none is scheduled
 * @param detail a short explanation of the state (spawn error, dependency cycle, killed after
 *     timeout), or null
 * @param uptime how long the main process has been alive, or null when none is
 * @param model the service model v2's settings and observations, in display order, each present
 *     only when the service file configures it: restart, start_limit, health, oom_kills, user,
 *     limits (values are strings or numbers)
 */
public record ServiceStatus(
    String name,
    int pid,
    String state,
    Target target,
    Map<String, String> after,
    int restarts,
    Instant nextRestart,
    String detail,
    Duration uptime,
    Map<String, Object> model) {
  public ServiceStatus {
    model = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(model));
  }

  /** A status without any service model v2 key (a file that uses none). */
  public ServiceStatus(
      String name,
      int pid,
      String state,
      Target target,
      Map<String, String> after,
      int restarts,
      Instant nextRestart,
      String detail,
      Duration uptime) {
    this(name, pid, state, target, after, restarts, nextRestart, detail, uptime, Map.of());
  }
}
