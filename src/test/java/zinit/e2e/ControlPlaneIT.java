package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 5 end to end: the control plane under load and through `bin/zinit proxy`. */
class ControlPlaneIT {
  @BeforeEach // not @BeforeAll: each test is then reported skipped, by name and with the reason
  void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  @Test
  void hundredsOfConcurrentClientsAndGarbageDoNotDisturbZinit() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("steady", "exec: sleep 1000\n").start();
      z.awaitState("steady", "Running");
      ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
      try {
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) answers.add(pool.submit(() -> garbage(z.socket)));
        for (int i = 0; i < 300; i++) {
          answers.add(pool.submit(() -> z.call("service_status", "steady").get("state").asText()));
        }
        for (Future<String> f : answers.subList(20, answers.size())) {
          assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo("Running");
        }
        for (Future<String> f : answers.subList(0, 20)) f.get(60, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow(); // a client still blocked in read is interrupted, its channel closed
      }
      assertThat(z.daemon.isAlive()).isTrue();
      assertThat(z.cli("list").stdout()).contains("steady: Running");
    }
  }

  /**
   * Random bytes and an unterminated request, then end of input: returns what zinit answered
   * before it closed the connection.
   */
  private static String garbage(Path socket) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      byte[] noise = new byte[4096];
      ThreadLocalRandom.current().nextBytes(noise);
      ch.write(ByteBuffer.wrap(noise));
      ch.write(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"method\":\"".getBytes()));
      ch.shutdownOutput();
      ByteBuffer reply = ByteBuffer.allocate(1 << 16);
      while (reply.hasRemaining() && ch.read(reply) >= 0) {
        // until zinit closes its side
      }
      return new String(reply.array(), 0, reply.position());
    } catch (IOException closedByZinit) {
      return "";
    }
  }

  @Test
  void httpProxyNeedsItsTokenAndSendsNoWildcardCors() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("web", "exec: sleep 1000\n").start();
      z.awaitState("web", "Running");
      int port;
      try (ServerSocket probe = new ServerSocket(0)) {
        port = probe.getLocalPort();
      }
      Process proxy =
          new ProcessBuilder(Zinit.LAUNCHER.toString(), "-s", z.socket.toString(), "proxy", "-a",
                  "127.0.0.1:" + port)
              .redirectErrorStream(true)
              .redirectOutput(z.file("proxy.out").toFile())
              .start();
      try {
        Path tokenFile = Path.of(z.socket + ".token");
        Zinit.waitFor("the proxy's token", Duration.ofSeconds(60), () -> Files.exists(tokenFile));
        String token = Files.readString(tokenFile).trim();
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\",\"params\":[]}";
        URI uri = URI.create("http://127.0.0.1:" + port + "/");
        HttpResponse<String> denied =
            send(http, HttpRequest.newBuilder(uri).header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(denied.statusCode()).isEqualTo(401);
        HttpResponse<String> ok =
            send(http, HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"web\":\"Running\"");
        assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
      } finally {
        proxy.destroy();
        proxy.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (java.net.ConnectException notYet) {
        if (System.nanoTime() > end) throw notYet;
        Thread.sleep(50);
      }
    }
  }
}
