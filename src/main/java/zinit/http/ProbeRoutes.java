package zinit.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The monitoring routes, apart from the JSON-RPC ones: {@code GET /metrics} (behind the token,
 * which Prometheus sends from {@code bearer_token_file}), and {@code GET /healthz} and {@code
 * /readyz} without a token, answering with counts only, never a service's name.
 */
final class ProbeRoutes {
  static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Probes probes;
  private final Predicate<HttpExchange> authorized;
  private final Consumer<String> log;

  private ProbeRoutes(Probes probes, Predicate<HttpExchange> authorized, Consumer<String> log) {
    this.probes = probes;
    this.authorized = authorized;
    this.log = log;
  }

  static void install(HttpServer server, Probes probes, Predicate<HttpExchange> authorized, Consumer<String> log) {
    ProbeRoutes r = new ProbeRoutes(probes, authorized, log);
    server.createContext("/metrics", ex -> r.guard(ex, r::metrics));
    server.createContext("/healthz", ex -> r.guard(ex, r::healthz));
    server.createContext("/readyz", ex -> r.guard(ex, r::readyz));
  }

  private interface Route {
    void serve(HttpExchange ex) throws IOException;
  }

  private void guard(HttpExchange ex, Route route) {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (!path.equals(ex.getHttpContext().getPath())) {
        reply(ex, 404, "text/plain; charset=utf-8", "not found\n");
        return;
      }
      if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        reply(ex, 405, "text/plain; charset=utf-8", "use GET\n");
        return;
      }
      route.serve(ex);
    } catch (IOException | RuntimeException e) {
      log.accept("http: GET " + ex.getRequestURI().getPath() + ": " + e);
    }
  }

  private void metrics(HttpExchange ex) throws IOException {
    if (!authorized.test(ex)) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"zinit\"");
      reply(ex, 401, "text/plain; charset=utf-8", "missing or wrong token: send Authorization: Bearer TOKEN\n");
      return;
    }
    String text;
    try {
      text = probes.metrics();
    } catch (IOException e) {
      reply(ex, 503, "text/plain; charset=utf-8", "zinit does not answer: " + e.getMessage() + "\n");
      return;
    }
    reply(ex, 200, METRICS_TYPE, text);
  }

  private void healthz(HttpExchange ex) throws IOException {
    Probes.Health h = healthOrDown();
    if (h.live()) reply(ex, 200, "text/plain; charset=utf-8", "ok\n");
    else reply(ex, 503, "text/plain; charset=utf-8", "zinit's supervisor does not answer\n");
  }

  private void readyz(HttpExchange ex) throws IOException {
    Probes.Health h = healthOrDown();
    if (!h.live()) reply(ex, 503, "text/plain; charset=utf-8", "zinit's supervisor does not answer\n");
    else if (h.waiting() == 0) reply(ex, 200, "text/plain; charset=utf-8", "ready: " + h.services() + " services\n");
    else reply(ex, 503, "text/plain; charset=utf-8", "not ready: " + h.waiting() + " of " + h.services() + " services not up yet\n");
  }

  private Probes.Health healthOrDown() {
    try {
      return probes.health();
    } catch (IOException e) {
      return new Probes.Health(false, 0, 0);
    }
  }

  private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : b.length);
    if (head) return;
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }
}
