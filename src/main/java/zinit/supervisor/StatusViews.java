package zinit.supervisor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answers {@link Supervisor} builds from the loop's state: a service's status, and the
 * metrics samples (state taken on the loop, usage read off it).
 */
final class StatusViews {
  private StatusViews() {}

  /** The status of {@code s}, with the state of each service it comes after. Runs on the loop. */
  static ServiceStatus status(String name, Service s, Map<String, Service> services, Scheduler loop) {
    Map<String, String> after = new LinkedHashMap<>();
    for (String dep : s.config.after()) {
      Service d = services.get(dep);
      after.put(dep, d == null ? State.Unknown.name() : d.display());
    }
    String detail = s.detail;
    if (detail == null && s.run != null) detail = s.run.process.trackingNote().orElse(null);
    return new ServiceStatus(
        name,
        s.pid(),
        s.display(),
        s.target,
        after,
        s.restarts,
        s.nextRestart,
        detail,
        s.pid() == 0 ? null : s.run.uptime(loop),
        ModelStatus.of(s));
  }

  /** What a sample needs of one service, taken on the loop. */
  record Taken(String name, State state, Target target, int restarts, Run liveRun, ExitStatus lastExit, Long oomKills) {}

  /** Runs on the loop. */
  static List<Taken> take(Map<String, Service> services) {
    return services.values().stream()
            .map(
                s ->
                    new Taken(
                        s.name(), s.state, s.target, s.restarts,
                        s.run != null && s.run.mainAlive() ? s.run : null, s.lastExit,
                        // counted only where a memory limit can cause them
                        s.config.limits() != null && s.config.limits().memory() > 0 ? s.oomKills : null))
            .toList();
  }

  /** Runs off the loop: the processes' usage is read here, so a slow /proc never holds up supervision. */
  static List<ServiceSample> samples(List<Taken> taken, boolean withUsage) {
    List<ServiceSample> out = new java.util.ArrayList<>(taken.size());
    for (Taken t : taken) {
      Run run = t.liveRun();
      out.add(
          new ServiceSample(
              t.name(),
              t.state(),
              t.target(),
              t.restarts(),
              run == null ? null : run.started,
              t.lastExit(),
              run == null || !withUsage ? null : run.process.usage(),
              t.oomKills()));
    }
    return out;
  }
}
