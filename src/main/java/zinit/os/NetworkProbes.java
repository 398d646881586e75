package zinit.os;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import zinit.supervisor.Probes;

/**
 * The http and tcp health checks: each on a virtual thread of its own (plain blocking sockets,
 * no native calls, so nothing pins a carrier), bounded by the check's timeout.
 */
public final class NetworkProbes implements Probes {
  private volatile HttpClient client; // made on first use: most zinits never check over HTTP

  @Override
  public CompletableFuture<String> http(String url, Duration timeout) {
    return async(() -> {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().header("User-Agent", "zinit-health").build();
      // The status is all a check needs: the body is not read (waiting for it let a server that
      // trickles an endless body hold the check for ever, as the timeout ends at the headers);
      // closing the stream drops the connection.
      HttpResponse<java.io.InputStream> response = client(timeout).send(request, HttpResponse.BodyHandlers.ofInputStream());
      response.body().close();
      int code = response.statusCode();
      return code >= 200 && code < 400 ? null : "HTTP " + code + " from " + url;
    });
  }

  @Override
  public CompletableFuture<String> tcp(String hostPort, Duration timeout) {
    return async(() -> {
      int colon = hostPort.lastIndexOf(':');
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
        return null;
      }
    });
  }

  private HttpClient client(Duration timeout) {
    HttpClient c = client;
    if (c == null) {
      synchronized (this) {
        if (client == null) {
          client =
              HttpClient.newBuilder()
                  .connectTimeout(timeout)
                  .followRedirects(HttpClient.Redirect.NEVER)
                  .executor(r -> Thread.ofVirtual().name("zinit-health-http").start(r))
                  .build();
        }
        c = client;
      }
    }
    return c;
  }

  private interface Check {
    String run() throws IOException, InterruptedException;
  }

  private static CompletableFuture<String> async(Check check) {
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread.ofVirtual().name("zinit-health").start(() -> {
      try {
        result.complete(check.run());
      } catch (java.net.http.HttpTimeoutException | java.net.SocketTimeoutException e) {
        result.complete("timed out");
      } catch (IOException e) {
        result.complete(e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage());
      } catch (InterruptedException e) {
        result.complete("interrupted");
      } catch (RuntimeException e) {
        result.complete(e.toString());
      }
    });
    return result;
  }
}
