package zinit.http;

import java.io.IOException;

/** What {@code GET /metrics}, {@code /healthz} and {@code /readyz} serve. */
public interface Probes {
  /** The metrics in Prometheus' text format 0.0.4. */
  String metrics() throws IOException;

  /** Whether zinit answers, and how many of its services are not yet where their target wants them. */
  Health health() throws IOException;

  /** @param waiting services with target Up that are not Running (or a finished oneshot) yet */
  record Health(boolean live, int services, int waiting) {}
}
