package zinit.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The monitoring routes, apart from the JSON-RPC ones: {@code GET /metrics} (behind the token,
 * which Prometheus sends from {@code bearer_token_file}), and {@code GET /healthz} and {@code
 * /readyz} without a token, answering with counts only, never a service's name.
 */
final class ProbeRoutes {
  /** {@link Exchange#reply} adds "; charset=utf-8". */
  static final String METRICS_TYPE = "text/plain; version=0.0.4";

  private static final Set<String> PATHS = Set.of("/metrics", "/healthz", "/readyz");

  private final Probes probes;
  private final Predicate<Exchange> authorized;
  private final Consumer<String> log;

  ProbeRoutes(Probes probes, Predicate<Exchange> authorized, Consumer<String> log) {
    this.probes = probes;
    this.authorized = authorized;
    this.log = log;
  }

  static boolean owns(String path) {
    return PATHS.contains(path);
  }

  void serve(Exchange ex) throws IOException {
    String path = ex.uri().getPath();
    if (!ex.method().equals("GET") && !ex.method().equals("HEAD")) {
      reply(ex, 405, "text/plain", "use GET\n", Map.of("Allow", "GET, HEAD"));
      return;
    }
    try {
      switch (path) {
        case "/metrics" -> metrics(ex);
        case "/healthz" -> healthz(ex);
        default -> readyz(ex);
      }
    } catch (RuntimeException e) {
      log.accept("http: GET " + path + ": " + e);
      if (!ex.responded()) reply(ex, 500, "text/plain", "internal error: " + e.getMessage() + "\n", Map.of());
    }
  }

  private void metrics(Exchange ex) throws IOException {
    if (!authorized.test(ex)) {
      reply(ex, 401, "text/plain", "missing or wrong token: send Authorization: Bearer TOKEN\n",
          Map.of("WWW-Authenticate", "Bearer realm=\"zinit\""));
      return;
    }
    String text;
    try {
      text = probes.metrics();
    } catch (IOException e) {
      reply(ex, 503, "text/plain", "zinit does not answer: " + e.getMessage() + "\n", Map.of());
      return;
    }
    reply(ex, 200, METRICS_TYPE, text, Map.of());
  }

  private void healthz(Exchange ex) throws IOException {
    Probes.Health h = healthOrDown();
    if (h.live()) reply(ex, 200, "text/plain", "ok\n", Map.of());
    else reply(ex, 503, "text/plain", "zinit's supervisor does not answer\n", Map.of());
  }

  private void readyz(Exchange ex) throws IOException {
    Probes.Health h = healthOrDown();
    if (!h.live()) reply(ex, 503, "text/plain", "zinit's supervisor does not answer\n", Map.of());
    else if (h.waiting() == 0) reply(ex, 200, "text/plain", "ready: " + h.services() + " services\n", Map.of());
    else
      reply(ex, 503, "text/plain", "not ready: " + h.waiting() + " of " + h.services() + " services not up yet\n", Map.of());
  }

  private Probes.Health healthOrDown() {
    try {
      return probes.health();
    } catch (IOException e) {
      return new Probes.Health(false, 0, 0);
    }
  }

  private static void reply(Exchange ex, int status, String type, String body, Map<String, String> headers)
      throws IOException {
    // HEAD gets the headers of GET without the body (its Content-Length is then 0, as for the dashboard)
    byte[] b = ex.method().equals("HEAD") ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    ex.reply(status, type, b, headers);
  }
}
