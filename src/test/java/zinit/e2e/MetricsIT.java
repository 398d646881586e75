package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 10: GET /metrics, /healthz and /readyz of a real daemon, checked by promtool and against status. */
class MetricsIT {
  static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(\\{[^}]*\\})? (\\S+)$");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void needs() {
    Privileges.assumeRootWithCgroups();
    assumeTrue(Files.isExecutable(PROMTOOL), "needs promtool (Debian package prometheus)");
  }

  /** name{labels} -> value, for lines that are samples. */
  static Map<String, Double> parse(String text) {
    Map<String, Double> out = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (m.matches()) out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return out;
  }

  /** promtool check metrics: the exposition format and Prometheus' naming rules; output on failure. */
  static String promtoolCheckMetrics(String text) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() == 0 && out.isBlank() ? "" : "exit " + p.exitValue() + ": " + out;
  }

  private HttpResponse<String> get(URI uri, String tokenOrNull) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
    if (tokenOrNull != null) b.header("Authorization", "Bearer " + tokenOrNull);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsPassPromtoolAndAgreeWithStatusAndStats() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("web", "exec: sh -c 'echo up; echo warn >&2; sleep 1000'\n")
          .service("setup", "exec: \"true\"\noneshot: true\n")
          .service("crash", "exec: sh -c 'exit 3'\n")
          .service("quote\"d", "exec: sleep 1000\n")
          .start();
      z.awaitState("web", "Running");
      z.awaitState("setup", "Success");
      z.awaitStateMatching("crash", "Error.*");
      String started = z.call("system_start_http_server", "127.0.0.1:0").asText();
      URI base = URI.create("http://" + started.replaceAll("^HTTP server started at (\\S+) .*$", "$1") + "/");
      String token = Files.readString(Path.of(z.socket + ".token")).strip();

      assertThat(get(base.resolve("/metrics"), null).statusCode()).isEqualTo(401);
      assertThat(get(base.resolve("/metrics"), "wrong-token-wrong-token").statusCode()).isEqualTo(401);
      HttpResponse<String> r = get(base.resolve("/metrics"), token);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      String text = r.body();
      assertThat(promtoolCheckMetrics(text)).as("promtool check metrics on:\n%s", text).isEmpty();

      Map<String, Double> m = parse(text);
      JsonNode web = z.call("service_status", "web");
      JsonNode stats = z.call("service_stats", "web");
      assertThat(m.get("zinit_service_state{service=\"web\",state=\"Running\"}")).isEqualTo(1.0);
      assertThat(m.get("zinit_service_state{service=\"web\",state=\"Error\"}")).isEqualTo(0.0);
      assertThat(m.get("zinit_service_state{service=\"setup\",state=\"Success\"}")).isEqualTo(1.0);
      assertThat(m.get("zinit_service_target{service=\"web\",target=\"Up\"}")).isEqualTo(1.0);
      assertThat(m.get("zinit_service_target{service=\"web\",target=\"Down\"}")).isEqualTo(0.0);
      assertThat(m.get("zinit_service_processes{service=\"web\"}")).isEqualTo(1.0 + stats.get("children").size());
      assertThat(m.get("zinit_service_memory_bytes{service=\"web\"}")).isPositive();
      assertThat(m.get("zinit_service_cpu_seconds_total{service=\"web\"}")).isNotNegative();
      assertThat(m.get("zinit_service_start_time_seconds{service=\"web\"}"))
          .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(600.0));
      assertThat(m.get("zinit_service_restarts_total{service=\"web\"}")).isEqualTo(web.get("restarts").asDouble());
      assertThat(m.get("zinit_service_last_exit_code{service=\"crash\"}")).isEqualTo(3.0);
      assertThat(m.get("zinit_service_last_exit_code{service=\"setup\"}")).isEqualTo(0.0);
      assertThat(m).doesNotContainKey("zinit_service_last_exit_code{service=\"web\"}");
      assertThat(m.get("zinit_log_lines_total{service=\"web\",stream=\"stdout\"}")).isEqualTo(1.0);
      assertThat(m.get("zinit_log_lines_total{service=\"web\",stream=\"stderr\"}")).isEqualTo(1.0);
      assertThat(m).containsKey("zinit_service_state{service=\"quote\\\"d\",state=\"Running\"}");
      assertThat(m.get("process_resident_memory_bytes")).isPositive();
      assertThat(m.get("process_open_fds")).isPositive();
      assertThat(m.get("process_start_time_seconds")).isPositive();
      assertThat(text).containsPattern("zinit_build_info\\{version=\"[^\"]+\"} 1\n");
      JsonNode crash = z.call("service_status", "crash");
      assertThat(m.get("zinit_service_restarts_total{service=\"crash\"}")).isLessThanOrEqualTo(crash.get("restarts").asDouble());

      // health: no token needed, no service named
      HttpResponse<String> healthz = get(base.resolve("/healthz"), null);
      assertThat(healthz.statusCode()).isEqualTo(200);
      HttpResponse<String> notReady = get(base.resolve("/readyz"), null);
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).isEqualTo("not ready: 1 of 4 services not up yet\n").doesNotContain("crash");
      assertThat(z.cli("stop", "crash").exit()).isZero();
      HttpResponse<String> ready = get(base.resolve("/readyz"), null);
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(get(base.resolve("/metricsx"), token).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void proxyCommandServesTheSameRoutes() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("web", "exec: sleep 1000\n").start();
      z.awaitState("web", "Running");
      Process proxy =
          new ProcessBuilder(Zinit.LAUNCHER.toString(), "-s", z.socket.toString(), "proxy", "-a", "127.0.0.1:0")
              .redirectErrorStream(true)
              .start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        assertThat(first).startsWith("Serving zinit's JSON-RPC on http://");
        URI base = URI.create(first.replaceAll("^.*(http://[^/]+/).*$", "$1"));
        String token = Files.readString(Path.of(z.socket + ".token")).strip();
        assertThat(get(base.resolve("/metrics"), null).statusCode()).isEqualTo(401);
        HttpResponse<String> r = get(base.resolve("/metrics"), token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(promtoolCheckMetrics(r.body())).isEmpty();
        assertThat(parse(r.body()).get("zinit_service_state{service=\"web\",state=\"Running\"}")).isEqualTo(1.0);
        assertThat(get(base.resolve("/healthz"), null).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get(base.resolve("/readyz"), null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready: 1 services\n");
      } finally {
        proxy.destroy();
        if (!proxy.waitFor(30, TimeUnit.SECONDS)) proxy.destroyForcibly();
      }
    }
  }

  @Test
  void versionIsTheBuildsInTheCliAndInDiscover() throws Exception {
    try (Zinit z = new Zinit()) {
      z.start();
      var version = z.cli("--version");
      assertThat(version.exit()).isZero();
      assertThat(version.stdout()).matches("zinit \\d+\\.\\d+\\.\\d+\\S* \\(JVM\\)\n");
      String v = version.stdout().split(" ")[1];
      assertThat(z.call("rpc.discover").get("info").get("version").asText()).isEqualTo(v);
      assertThat(z.call("system_metrics").asText()).contains("zinit_build_info{version=\"" + v + "\"} 1\n");
    }
  }
}
