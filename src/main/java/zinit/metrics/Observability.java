package zinit.metrics;

import java.util.Optional;
import zinit.logs.ServiceLogs;

/** What the control plane shows of zinit beyond the services' own calls. */
public interface Observability {
  /** The metrics in Prometheus' text format 0.0.4. */
  String metrics();

  /**
   * Whether the supervisor's loop answers within a bound, and how many services have target Up
   * but are not Running (or a finished oneshot) yet. No names: health endpoints are public.
   */
  Health health();

  /** The log file of a {@code log: file} service, if it has one. */
  Optional<ServiceLogs.FileStatus> logFile(String service);

  /** @param live the loop answered; {@code ready} when live and {@code waiting} is 0 */
  record Health(boolean live, int services, int waiting) {
    public boolean ready() {
      return live && waiting == 0;
    }
  }
}
