package zinit.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import zinit.Version;
import zinit.logs.ServiceLogs;
import zinit.os.SelfStats;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.ServiceSample;
import zinit.supervisor.Services;
import zinit.supervisor.State;
import zinit.supervisor.Target;
import zinit.supervisor.Usage;

/**
 * zinit's metrics, rendered from one pass over the supervisor's state ({@link Services#samples})
 * plus the log counters and zinit's own process figures.
 */
public final class Metrics implements Observability {
  /** How long /healthz waits for the supervisor's loop before it calls zinit unhealthy. */
  static final Duration LIVE_WAIT = Duration.ofSeconds(5);

  private final Services services;
  private final ServiceLogs logsOrNull;

  /** {@code logsOrNull}: the daemon's log counters and files; null where there are none (tests). */
  public Metrics(Services services, ServiceLogs logsOrNull) {
    this.services = services;
    this.logsOrNull = logsOrNull;
  }

  @Override
  public String metrics() {
    List<ServiceSample> samples = services.samples(true);
    PromText p = new PromText();
    p.family("zinit_build_info", "gauge", "zinit's version; always 1.")
        .sample("zinit_build_info", 1, "version", Version.VALUE);

    p.family("zinit_service_state", "gauge", "1 for the service's current state, 0 for the others.");
    for (ServiceSample s : samples) {
      for (State state : State.values()) {
        p.sample("zinit_service_state", s.state() == state ? 1 : 0, "service", s.name(), "state", state.name());
      }
    }
    p.family("zinit_service_target", "gauge", "1 for the service's target (Up or Down), 0 for the other.");
    for (ServiceSample s : samples) {
      for (Target t : Target.values()) {
        p.sample("zinit_service_target", s.target() == t ? 1 : 0, "service", s.name(), "target", t.name());
      }
    }
    p.family("zinit_service_restarts_total", "counter", "Restarts by zinit since the service was last started by hand.");
    for (ServiceSample s : samples) p.sample("zinit_service_restarts_total", s.restarts(), "service", s.name());

    p.family("zinit_service_start_time_seconds", "gauge", "When the running instance was spawned, seconds since the epoch.");
    for (ServiceSample s : samples) {
      if (s.startedOrNull() != null) {
        p.sample("zinit_service_start_time_seconds", s.startedOrNull().toEpochMilli() / 1000.0, "service", s.name());
      }
    }
    p.family("zinit_service_last_exit_code", "gauge", "Exit code of the main process's last exit; 128+N when killed by signal N.");
    for (ServiceSample s : samples) {
      if (s.lastExitOrNull() != null) p.sample("zinit_service_last_exit_code", exitCode(s.lastExitOrNull()), "service", s.name());
    }
    p.family("zinit_service_cpu_seconds_total", "counter", "CPU time of the running instance's processes (its cgroup when tracked).");
    for (ServiceSample s : samples) {
      if (s.usageOrNull() != null) p.sample("zinit_service_cpu_seconds_total", s.usageOrNull().cpuSeconds(), "service", s.name());
    }
    p.family("zinit_service_memory_bytes", "gauge", "Resident memory of the running instance's processes.");
    for (ServiceSample s : samples) {
      if (s.usageOrNull() != null) p.sample("zinit_service_memory_bytes", s.usageOrNull().memoryBytes(), "service", s.name());
    }
    p.family("zinit_service_processes", "gauge", "Live processes of the service.");
    for (ServiceSample s : samples) {
      Usage u = s.usageOrNull();
      p.sample("zinit_service_processes", u == null ? 0 : u.processes(), "service", s.name());
    }
    p.family("zinit_service_oom_kills_total", "counter", "Processes of the service killed by the OOM killer at its memory limit (services with limits.memory only).");
    for (ServiceSample s : samples) {
      if (s.oomKillsOrNull() != null) p.sample("zinit_service_oom_kills_total", s.oomKillsOrNull(), "service", s.name());
    }
    logFamilies(p);
    selfFamilies(p);
    return p.toString();
  }

  private void logFamilies(PromText p) {
    p.family("zinit_log_lines_total", "counter", "Output lines of the service, by stream.");
    if (logsOrNull != null) {
      for (Map.Entry<String, long[]> e : logsOrNull.lineCounts().entrySet()) {
        p.sample("zinit_log_lines_total", e.getValue()[0], "service", e.getKey(), "stream", "stdout");
        p.sample("zinit_log_lines_total", e.getValue()[1], "service", e.getKey(), "stream", "stderr");
      }
    }
    p.family("zinit_log_lines_dropped_total", "counter", "Lines a log sink could not take (file: write errors such as a full disk).");
    if (logsOrNull != null) {
      for (Map.Entry<String, ServiceLogs.FileStatus> e : logsOrNull.fileStatus().entrySet()) {
        p.sample("zinit_log_lines_dropped_total", e.getValue().lost(), "service", e.getKey(), "sink", "file");
      }
    }
  }

  private static void selfFamilies(PromText p) {
    SelfStats.Figures self = SelfStats.read();
    p.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
        .sample("process_resident_memory_bytes", self.residentBytes());
    p.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
        .sample("process_cpu_seconds_total", self.cpuSeconds());
    p.family("process_open_fds", "gauge", "Number of open file descriptors.")
        .sample("process_open_fds", self.openFds());
    p.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
        .sample("process_start_time_seconds", self.startTimeSeconds());
  }

  static int exitCode(ExitStatus status) {
    return switch (status) {
      case ExitStatus.Exited(int code) -> code;
      case ExitStatus.Killed(int signal) -> 128 + signal;
    };
  }

  @Override
  public Health health() {
    CompletableFuture<List<ServiceSample>> answer = new CompletableFuture<>();
    Thread.ofVirtual().name("zinit-health").start(() -> {
      try {
        answer.complete(services.samples(false));
      } catch (RuntimeException e) {
        answer.completeExceptionally(e);
      }
    });
    try {
      List<ServiceSample> samples = answer.get(LIVE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      int waiting = (int) samples.stream().filter(s -> !s.ready()).count();
      return new Health(true, samples.size(), waiting);
    } catch (TimeoutException | ExecutionException e) {
      return new Health(false, 0, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Health(false, 0, 0);
    }
  }

  @Override
  public Optional<ServiceLogs.FileStatus> logFile(String service) {
    return logsOrNull == null ? Optional.empty() : Optional.ofNullable(logsOrNull.fileStatus().get(service));
  }
}
