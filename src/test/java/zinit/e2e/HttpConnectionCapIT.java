package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP server listens on loopback, where any local user (a service's, too) can connect. One
 * that opens as many connections as the cap allows and sends nothing, asks for a probe that needs
 * no token and keeps the connection, or is refused with a body still to come, must not lock the
 * operator out: before, every request got 503 for as long as such connections were held (2, 10 or
 * 30 s each, and reopened at once).
 */
class HttpConnectionCapIT {
  @Test
  @Timeout(120)
  void connectionsThatSendNothingIdleOrAreRefusedDoNotLockOutARequestThatComesWhole() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("svc", "exec: sleep 1000\n").start();
      String started = z.call("system_start_http_server", "127.0.0.1:0").asText();
      Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(started);
      assertThat(m.find()).as(started).isTrue();
      int port = Integer.parseInt(m.group(1));
      String token = Files.readString(z.socket.resolveSibling(z.socket.getFileName() + ".token")).strip();
      List<Socket> idle = new ArrayList<>();
      try {
        // more than the cap (64 at most): each connects and sends nothing
        for (int i = 0; i < 80; i++) idle.add(new Socket("127.0.0.1", port));
        for (int attempt = 0; attempt < 3; attempt++) {
          assertThat(healthz(port, token)).as("attempt %d", attempt).startsWith("HTTP/1.1 200");
        }
        // the probes need no token: connections that ask for one and then stay open, idle
        for (int i = 0; i < 80; i++) {
          Socket s = new Socket("127.0.0.1", port);
          s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          idle.add(s);
        }
        Thread.sleep(500); // served, now idle between requests
        for (int attempt = 0; attempt < 3; attempt++) {
          assertThat(healthz(port, token)).as("after idle keep-alive connections, attempt %d", attempt).startsWith("HTTP/1.1 200");
        }
        // a refused request's unread body is drained for up to 2 s before its connection closes:
        // connections refused (no token) with a body still to come, held through that drain
        for (int i = 0; i < 80; i++) {
          Socket s = new Socket("127.0.0.1", port);
          s.getOutputStream().write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n{".getBytes(StandardCharsets.US_ASCII));
          idle.add(s);
        }
        for (int attempt = 0; attempt < 3; attempt++) {
          assertThat(healthz(port, token)).as("after refused requests, attempt %d", attempt).startsWith("HTTP/1.1 200");
        }
      } finally {
        for (Socket s : idle) s.close();
      }
    }
  }

  /** The status line and body of GET /healthz with the token. */
  private static String healthz(int port, String token) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET /healthz HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
