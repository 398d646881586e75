package zinit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import zinit.config.ServiceFiles;
import zinit.http.HttpProxy;
import zinit.logs.LogRing;
import zinit.rpc.RpcServer;
import zinit.supervisor.ProcessStats;
import zinit.supervisor.ServiceStatus;
import zinit.supervisor.Services;
import zinit.supervisor.ZinitException;

/** `zinit proxy`'s forwarding: HTTP in this process, each request over the unix socket. */
class ProxyTest {
  private Path dir;
  private RpcServer server;
  private HttpProxy proxy;
  private final LogRing logs = new LogRing(10);
  private final HttpClient http = HttpClient.newHttpClient();
  private final String token = HttpProxy.newToken();

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("zinit-proxy");
    Path socket = dir.resolve("z.sock");
    server = RpcServer.start(socket, new OneService(), logs, new ServiceFiles(dir), new RpcServer.Options(null, l -> {}));
    proxy = HttpProxy.start(new InetSocketAddress("127.0.0.1", 0), token, new Proxy.Forward(socket), l -> {});
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    server.close();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + proxy.address().getPort() + path);
  }

  @Test
  void requestsAreForwardedToTheSocket() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"web\":\"Running\"");
    HttpResponse<String> none =
        http.send(
            HttpRequest.newBuilder(uri("/"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"method\":\"service_list\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(204);
  }

  @Test
  @Timeout(60)
  void logsAreForwardedAsServerSentEvents() throws Exception {
    logs.append("web", false, "hello");
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(uri("/logs")).header("Authorization", "Bearer " + token).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      assertThat(nextData(in)).isEqualTo("[+] web: hello");
      logs.append("web", false, "again");
      assertThat(nextData(in)).isEqualTo("[+] web: again");
    }
  }

  private static String nextData(BufferedReader in) throws Exception {
    String line;
    while ((line = in.readLine()) != null) if (line.startsWith("data: ")) return line.substring(6);
    return null;
  }

  private static final class OneService implements Services {
    @Override
    public Map<String, String> list() {
      return Map.of("web", "Running");
    }

    @Override
    public ServiceStatus status(String name) throws ZinitException {
      throw new ZinitException.NotFound(name);
    }

    @Override
    public void start(String name) {}

    @Override
    public void stop(String name) {}

    @Override
    public void restart(String name) {}

    @Override
    public Map<String, String> reload() {
      return Map.of();
    }

    @Override
    public void monitor(String name) {}

    @Override
    public void forget(String name) {}

    @Override
    public void kill(String name, String signal) {}

    @Override
    public ProcessStats stats(String name) throws ZinitException {
      throw new ZinitException.NotFound(name);
    }

    @Override
    public void shutdown(boolean reboot) {}

    @Override
    public boolean shuttingDown() {
      return false;
    }
  }
}
