package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's files at /ui/ on the daemon's HTTP server: served without a token, locked down. */
class DashboardFilesTest {
  // what the page loads: <script src>, <link href>, static and dynamic module imports
  private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"([^\"#]+)\"|(?:from |import\\()'([^']+)'");
  private Fixture f;
  private URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void start() throws Exception {
    f = new Fixture();
    try (RawClient c = f.client()) {
      String started =
          c.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_start_http_server\",\"params\":[\"127.0.0.1:0\"]}")
              .get("result")
              .asText();
      base = URI.create("http://" + started.replaceAll("^HTTP server started at (\\S+) .*$", "$1") + "/");
    }
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void pageIsServedWithoutTokenAndForbidsOtherOriginsAndFraming() throws Exception {
    HttpResponse<String> r = get("/ui/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).startsWith("default-src 'self';").contains("frame-ancestors 'none'"));
    assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(r.body()).contains("<form id=\"signin\"");
  }

  @Test
  void everyFileThePageLoadsIsServedFromHereAndAllTogetherStayUnder100KB() throws Exception {
    Map<String, HttpResponse<String>> seen = new LinkedHashMap<>();
    Deque<String> todo = new ArrayDeque<>();
    todo.add("index.html");
    while (!todo.isEmpty()) {
      String name = todo.poll();
      if (seen.containsKey(name)) continue;
      HttpResponse<String> r = get("/ui/" + name);
      assertThat(r.statusCode()).as("GET /ui/%s", name).isEqualTo(200);
      seen.put(name, r);
      Matcher m = REFERENCE.matcher(r.body());
      while (m.find()) {
        String ref = m.group(1) != null ? m.group(1) : m.group(2);
        if (ref.startsWith("data:")) continue;
        assertThat(ref).as("%s loads only files of its own, by relative name", name).matches("(\\./)?[a-z]+\\.(js|css)");
        todo.add(ref.replace("./", ""));
      }
    }
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/zinit/ui"))) {
      // every file of the page is served and reached from index.html: none is forgotten or dead
      assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(files.map(p -> p.getFileName().toString()).toList());
    }
    seen.forEach((name, r) -> assertThat(r.headers().firstValue("Content-Type").orElseThrow())
        .startsWith(name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : "text/html"));
    long bytes = seen.values().stream().mapToLong(r -> r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
    assertThat(bytes).isLessThan(100 * 1024);
    for (var e : seen.entrySet()) assertThat(e.getValue().body()).as(e.getKey()).doesNotContain("http://", "https://");
  }

  @Test
  void onlyListedFilesAreServedAndOnlyByGet() throws Exception {
    HttpResponse<String> bare = get("/ui");
    assertThat(bare.statusCode()).isEqualTo(308);
    assertThat(bare.headers().firstValue("Location")).hasValue("/ui/");
    assertThat(get("/ui/nope.js").statusCode()).isEqualTo(404);
    assertThat(get("/ui/%2e%2e/rpc/openrpc.json").statusCode()).isEqualTo(404);
    assertThat(get("/ui/sub/app.js").statusCode()).isEqualTo(404);
    HttpResponse<String> post = http.send(
        HttpRequest.newBuilder(base.resolve("/ui/")).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void theApiBehindThePageStillNeedsTheToken() throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(base).POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(get("/logs").statusCode()).isEqualTo(401);
  }
}
