package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Health checks against servers that answer with what no HTTP server should send: whatever they
 * send, each check ends and lets its connection go.
 */
class HostileEndpointsIT {
  @BeforeAll
  static void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  /** What a scripted server writes to the connection number {@code n} (from 0), then keeps it open. */
  private interface Script {
    void write(int n, OutputStream out) throws IOException, InterruptedException;
  }

  /** A loopback server that runs {@code script} on every connection and records them. */
  private static final class ScriptedServer implements AutoCloseable {
    final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    ScriptedServer(Script script) throws IOException {
      acceptor = Thread.ofVirtual().start(() -> {
        try {
          while (true) {
            Socket c = listener.accept();
            int n = clients.size();
            clients.add(c);
            Thread.ofVirtual().start(() -> {
              try {
                script.write(n, c.getOutputStream());
                Thread.sleep(Long.MAX_VALUE); // holds the connection open: only zinit may end it
              } catch (IOException | InterruptedException gone) {
                // zinit closed it, or the test ended
              }
            });
          }
        } catch (IOException closed) {
          // the test closed the listener
        }
      });
    }

    String url() {
      return "http://127.0.0.1:" + listener.getLocalPort() + "/health";
    }

    /** True once every connection but the newest (perhaps a check still under way) was closed by zinit. */
    boolean earlierConnectionsClosed() {
      return clients.stream().limit(clients.size() - 1).allMatch(ScriptedServer::peerClosed);
    }

    private static boolean peerClosed(Socket c) {
      try {
        c.setSoTimeout(1);
        while (true) if (c.getInputStream().read() < 0) return true;
      } catch (SocketTimeoutException open) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket c : clients) c.close();
      try {
        acceptor.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void httpHealthCheckClosesItsConnectionWhenTheServerSendsEndlessHeadersOrNoStatusLine() throws Exception {
    // The JDK's HttpClient fails such a response ("Header size too big", "Invalid status line")
    // but keeps the connection and the ~400 KB of headers it parsed: with a check every 0.2 s zinit
    // held +5 fds and +2 MB of heap a second, and after ~90 s its loop thread died of
    // OutOfMemoryError, leaving zinit deaf and its services unsupervised.
    byte[] header = ("X-Endless: " + "a".repeat(100) + "\r\n").repeat(100).getBytes(StandardCharsets.US_ASCII);
    try (ScriptedServer server = new ScriptedServer((n, out) -> {
          if (n % 2 == 1) {
            out.write("garbage\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return;
          }
          out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
          while (true) out.write(header); // until zinit closes it, or the socket buffers fill
        });
        Zinit z = new Zinit()) {
      z.service("web", "exec: sleep 1000\nhealth:\n  http: " + server.url()
              + "\n  interval: 0.2\n  timeout: 1\n  retries: 1000\n")
          .start();
      Zinit.waitFor("six checks", Duration.ofSeconds(60), () -> server.clients.size() >= 6);
      Zinit.waitFor("the connections of ended checks closed", Duration.ofSeconds(30),
          server::earlierConnectionsClosed);
      // Checks alternate: no status line fails, a 200 status line passes (the endless headers after
      // it are never read), so the health shown flips with each check: the log has both.
      assertThat(z.output()).contains("web: health check failed (").contains("web: health check passes again");
    }
  }
}
