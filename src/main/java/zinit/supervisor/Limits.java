package zinit.supervisor;

/**
 * What {@link Lifecycle} reports about a service's resource limits: limits the host could not
 * apply, and the OOM killer striking a run (counted on the service).
 */
final class Limits {
  private final ProcessHost host;
  private final LogSink log;

  Limits(ProcessHost host, LogSink log) {
    this.host = host;
    this.log = log;
  }

  /** Limits the host could not apply are a warning, not an error (the contract). */
  void warnUnapplied(Service s, ServiceProcess process) {
    zinit.config.ResourceLimits l = s.config.limits();
    if (l == null || !l.needsCgroups()) return;
    if (!host.cgroupsEnabled()) {
      log.zinit(s.name() + ": limits need cgroups, which are off here: memory, cpu and pids not applied");
    } else if (!process.unappliedLimits().isEmpty()) {
      log.zinit(s.name() + ": limits not applied, no such cgroup controller here: " + process.unappliedLimits());
    }
  }

  /** The OOM detail when the kernel's OOM killer struck the run (counted and logged), else null. */
  String oomKilled(Service s, Run run) {
    if (s.config.limits() == null || s.config.limits().memory() <= 0) return null;
    long kills = run.process.oomKills();
    if (kills <= 0) return null;
    s.oomKills += kills;
    String detail =
        "killed by the OOM killer (memory limit " + zinit.config.ResourceLimits.size(s.config.limits().memory()) + ")";
    log.zinit(s.name() + ": " + detail);
    return detail;
  }
}
