package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The http check's GET against a real loopback server that answers one connection as scripted. */
class HttpStatusCheckTest {
  private interface Answer {
    void write(OutputStream out) throws IOException, InterruptedException;
  }

  /** The status of one check against a server answering with {@code answer}; the request it got. */
  private static int check(Answer answer, Duration timeout, String path, StringBuilder request) throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (Socket c = listener.accept()) {
          byte[] head = new byte[4096];
          int n = c.getInputStream().read(head);
          request.append(new String(head, 0, Math.max(0, n), StandardCharsets.ISO_8859_1));
          answer.write(c.getOutputStream());
          c.getOutputStream().flush();
          while (c.getInputStream().read() >= 0) {
            // until the check closes the connection
          }
        } catch (IOException | InterruptedException e) {
          // the check closed it
        }
      }, r -> Thread.ofVirtual().start(r));
      try {
        return HttpStatusCheck.status(URI.create("http://127.0.0.1:" + listener.getLocalPort() + path), timeout);
      } finally {
        served.get(); // the check let the connection go
      }
    }
  }

  private static int check(String answer) throws Exception {
    return check(out -> out.write(answer.getBytes(StandardCharsets.ISO_8859_1)), Duration.ofSeconds(5), "/", new StringBuilder());
  }

  @Test
  void readsTheStatusAndSendsAPlainGetWithHostAndPathAndQuery() throws Exception {
    StringBuilder request = new StringBuilder();
    int code = check(out -> out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)),
        Duration.ofSeconds(5), "/health?deep=1", request);
    assertThat(code).isEqualTo(204);
    assertThat(request.toString()).startsWith("GET /health?deep=1 HTTP/1.1\r\nHost: 127.0.0.1:")
        .contains("\r\nConnection: close\r\n").endsWith("\r\n\r\n");
    assertThat(check("HTTP/1.0 503 Service Unavailable\r\n\r\n")).isEqualTo(503);
    assertThat(check("HTTP/1.1 302\r\nLocation: /elsewhere\r\n\r\n")).isEqualTo(302);
  }

  @Test
  void skipsInterimAnswersButNotSwitchingProtocols() throws Exception {
    assertThat(check("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"))
        .isEqualTo(200);
    assertThat(check("HTTP/1.1 101 Switching Protocols\r\n\r\n")).isEqualTo(101);
  }

  @Test
  void anAnswerThatIsNotHttpIsAProtocolErrorShownSafely() {
    assertThatThrownBy(() -> check("garbage\u001b]0;title\u0007\r\n\r\n"))
        .isInstanceOf(ProtocolException.class).hasMessage("not an HTTP status line: \"garbage?]0;title?\"");
    assertThatThrownBy(() -> check(OutputStream::close, Duration.ofSeconds(5), "/", new StringBuilder()))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("connection closed without an answer");
    assertThatThrownBy(() -> check("HTTP/1.1 100 Continue\r\n" + "X: y\r\n".repeat(20_000)))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("answer head over 65536 bytes");
    assertThatThrownBy(() -> check("HTTP/1.1 200 " + "x".repeat(10_000)))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("answer line over 8192 bytes");
  }

  @Test
  void aTrickledStatusLineEndsAtTheTimeout() {
    assertThatThrownBy(() -> check(out -> {
          for (byte b : "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1)) {
            out.write(b);
            out.flush();
            Thread.sleep(200);
          }
        }, Duration.ofMillis(500), "/", new StringBuilder()))
        .isInstanceOf(SocketTimeoutException.class);
  }
}
