package zinit.supervisor;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Network health checks, done off the loop by the host side. Each completes with null when the
 * check passed, or with a short reason why not; never exceptionally.
 */
public interface Probes {
  /** GET {@code url}; passes on a 2xx or 3xx answer within {@code timeout}. */
  CompletableFuture<String> http(String url, Duration timeout);

  /** Connects to "host:port"; passes when the connection is accepted within {@code timeout}. */
  CompletableFuture<String> tcp(String hostPort, Duration timeout);

  /** For a supervisor without network checks: every one fails, saying so. */
  Probes NONE =
      new Probes() {
        @Override
        public CompletableFuture<String> http(String url, Duration timeout) {
          return CompletableFuture.completedFuture("no network probes in this zinit");
        }

        @Override
        public CompletableFuture<String> tcp(String hostPort, Duration timeout) {
          return CompletableFuture.completedFuture("no network probes in this zinit");
        }
      };
}
