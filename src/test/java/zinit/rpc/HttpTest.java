package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import zinit.http.HttpProxy;
import zinit.supervisor.Target;

/** The HTTP server that system_start_http_server runs inside the daemon. */
class HttpTest {
  private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\"}";
  private Fixture f;
  private URI base;
  private String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void start() throws Exception {
    f = new Fixture();
    f.services.with("redis", "Running", Target.Up, 3);
    try (RawClient c = f.client()) {
      String started =
          c.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_start_http_server\",\"params\":[\"127.0.0.1:0\"]}")
              .get("result")
              .asText();
      String address = started.replaceAll("^HTTP server started at (\\S+) .*$", "$1");
      base = URI.create("http://" + address + "/");
    }
    Path tokenFile = HttpProxy.tokenFile(f.socket);
    token = Files.readString(tokenFile).strip();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private HttpResponse<String> post(String body, String auth, String origin) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base).timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) b.header("Authorization", auth);
    if (origin != null) b.header("Origin", origin);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tokenIs32RandomBytesInHex() {
    assertThat(token).matches("[0-9a-f]{64}");
  }

  @Test
  void requestsWithoutTheRightTokenAreUnauthorized() throws Exception {
    assertThat(post(LIST, null, null).statusCode()).isEqualTo(401);
    assertThat(post(LIST, "Bearer " + "0".repeat(64), null).statusCode()).isEqualTo(401);
    assertThat(post(LIST, token, null).statusCode()).isEqualTo(401);
    assertThat(f.services.calls).isEmpty();
  }

  @Test
  void postWithTheTokenAnswersLikeTheSocket() throws Exception {
    HttpResponse<String> r = post(LIST, "Bearer " + token, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(new ObjectMapper().readTree(r.body()).at("/result/redis").asText()).isEqualTo("Running");
    HttpResponse<String> batch = post("[" + LIST + "," + LIST.replace("1", "2") + "]", "Bearer " + token, null);
    assertThat(new ObjectMapper().readTree(batch.body()).size()).isEqualTo(2);
  }

  @Test
  void onlyNotificationsGetNoContent() throws Exception {
    assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"service_stop\",\"params\":[\"redis\"]}", "Bearer " + token, null).statusCode())
        .isEqualTo(204);
    assertThat(f.services.calls).containsExactly("stop redis");
  }

  @Test
  void noWildcardCorsEvenForAForeignOrigin() throws Exception {
    HttpResponse<String> r = post(LIST, "Bearer " + token, "http://evil.example");
    assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
    HttpResponse<String> preflight =
        http.send(
            HttpRequest.newBuilder(base)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isGreaterThanOrEqualTo(400);
    assertThat(preflight.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
  }

  @Test
  void subscribingNeedsAPersistentConnection() throws Exception {
    HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"stream_subscribeLogs\"}", "Bearer " + token, null);
    assertThat(new ObjectMapper().readTree(r.body()).at("/error/message").asText()).contains("GET /logs");
  }

  @Test
  void oversizedBodyIsRefused() throws Exception {
    assertThat(post("x".repeat(HttpProxy.MAX_BODY + 10), "Bearer " + token, null).statusCode()).isEqualTo(413);
  }

  @Test
  @Timeout(60)
  void logsStreamAsServerSentEventsWithTheToken() throws Exception {
    f.logs.append("redis", false, "old line");
    f.logs.append("other", false, "filtered out");
    URI logs = base.resolve("/logs?filter=redis");
    assertThat(http.send(HttpRequest.newBuilder(logs).build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
    HttpResponse<InputStream> r =
        http.send(HttpRequest.newBuilder(logs).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      assertThat(nextData(in)).isEqualTo("[+] redis: old line");
      f.logs.append("redis", true, "new line");
      assertThat(nextData(in)).isEqualTo("[-] redis: new line");
    }
  }

  @Test
  void badFilterIsABadRequest() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/logs?filter=..%2Fx")).header("Authorization", "Bearer " + token).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
  }

  private static String nextData(BufferedReader in) throws Exception {
    String line;
    while ((line = in.readLine()) != null) if (line.startsWith("data: ")) return line.substring(6);
    return null;
  }
}
