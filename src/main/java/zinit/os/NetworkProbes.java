package zinit.os;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import zinit.supervisor.Probes;

/**
 * The http and tcp health checks: each on a virtual thread of its own (plain blocking sockets,
 * no native calls, so nothing pins a carrier), bounded by the check's timeout.
 */
public final class NetworkProbes implements Probes {
  @Override
  public CompletableFuture<String> http(String url, Duration timeout) {
    return async(() -> {
      // The status is all a check needs: the head after it and the body are not read.
      int code = HttpStatusCheck.status(URI.create(url), timeout);
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
        socket.connect(new InetSocketAddress(host, port), Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE));
        return null;
      }
    });
  }

  private interface Check {
    String run() throws IOException, InterruptedException;
  }

  private static CompletableFuture<String> async(Check check) {
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread.ofVirtual().name("zinit-health").start(() -> {
      try {
        result.complete(check.run());
      } catch (java.net.SocketTimeoutException e) {
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
