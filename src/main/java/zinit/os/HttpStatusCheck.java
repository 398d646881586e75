package zinit.os;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The http health check: one GET over a socket of its own that reads the status line and closes
 * the connection, whatever the server sends. Not the JDK's HttpClient: that one, given endless
 * headers or a response that is not HTTP, fails the request but keeps the connection open with
 * what it parsed (~400 KB each), so a hostile or broken endpoint grew zinit's fds and heap with
 * every check until zinit died of OutOfMemoryError.
 *
 * <p>Bounded: the socket is closed at the deadline (the check's timeout) whatever it is doing
 * (connecting, a TLS handshake, a trickled status line), a line is at most 8 KiB and the head
 * read (status lines of interim 1xx answers and their headers included) at most 64 KiB.
 */
final class HttpStatusCheck {
  private static final int MAX_LINE = 8 * 1024;
  private static final int MAX_HEAD = 64 * 1024;

  private HttpStatusCheck() {}

  /** The status code of a GET of {@code uri} (http or https), or an exception saying why there is none. */
  static int status(URI uri, Duration timeout) throws IOException {
    boolean tls = "https".equalsIgnoreCase(uri.getScheme());
    String host = uri.getHost();
    if (host == null) throw new ProtocolException("no host in " + uri);
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
    long deadline = System.nanoTime() + timeout.toNanos();
    Socket plain = new Socket();
    // Closing the socket ends whatever blocks on it; the delayed executor is the one thread the
    // JDK keeps for CompletableFuture's timeouts (the health monitor already uses it).
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture.delayedExecutor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
        .execute(() -> {
          if (!done.isDone()) closeQuietly(plain);
        });
    try {
      plain.connect(new InetSocketAddress(bare, port), millisLeft(deadline));
      Socket s = plain;
      if (tls) s = tls(plain, bare, port, deadline);
      String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      if (uri.getRawQuery() != null) target += "?" + uri.getRawQuery();
      String hostHeader = uri.getPort() >= 0 ? host + ":" + port : host;
      String request = "GET " + target + " HTTP/1.1\r\nHost: " + hostHeader
          + "\r\nUser-Agent: zinit-health\r\nAccept: */*\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return readStatus(s, new BufferedInputStream(s.getInputStream(), 4096), deadline);
    } catch (IOException e) {
      if (System.nanoTime() - deadline >= 0) throw new SocketTimeoutException("timed out");
      throw e;
    } finally {
      done.complete(null);
      closeQuietly(plain); // with its TLS layer, if any: the server's answer is never read further
    }
  }

  private static Socket tls(Socket plain, String host, int port, long deadline) throws IOException {
    SSLSocket s;
    try {
      s = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(plain, host, port, true);
    } catch (NoSuchAlgorithmException e) {
      throw new IOException("no TLS: " + e.getMessage(), e);
    }
    SSLParameters p = s.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
    s.setSSLParameters(p);
    s.setSoTimeout(millisLeft(deadline));
    s.startHandshake();
    return s;
  }

  /**
   * The final status code: interim 1xx answers (but 101, which would end HTTP) are skipped with
   * their headers.
   */
  private static int readStatus(Socket s, InputStream in, long deadline) throws IOException {
    int[] budget = {MAX_HEAD};
    while (true) {
      String line = line(s, in, deadline, budget);
      int code = code(line);
      if (code < 100 || code > 199 || code == 101) return code;
      while (!line(s, in, deadline, budget).isEmpty()) {
        // headers of the interim answer
      }
    }
  }

  private static int code(String line) throws ProtocolException {
    // HTTP/1.1 200 OK (the reason may be missing, also its space)
    if (line.length() >= 12 && line.startsWith("HTTP/") && Character.isDigit(line.charAt(5))
        && line.charAt(6) == '.' && Character.isDigit(line.charAt(7)) && line.charAt(8) == ' '
        && (line.length() == 12 || line.charAt(12) == ' ')) {
      String digits = line.substring(9, 12);
      if (digits.chars().allMatch(c -> c >= '0' && c <= '9')) return Integer.parseInt(digits);
    }
    throw new ProtocolException("not an HTTP status line: " + shown(line));
  }

  /** One line without its CR LF, read under the deadline and the budget. */
  private static String line(Socket s, InputStream in, long deadline, int[] budget) throws IOException {
    StringBuilder b = new StringBuilder();
    while (true) {
      s.setSoTimeout(millisLeft(deadline));
      int c = in.read();
      if (c < 0) throw new ProtocolException(b.isEmpty() ? "connection closed without an answer" : "answer ended early");
      if (--budget[0] < 0) throw new ProtocolException("answer head over " + MAX_HEAD + " bytes");
      if (c == '\n') {
        int end = b.length();
        if (end > 0 && b.charAt(end - 1) == '\r') b.setLength(end - 1);
        return b.toString();
      }
      if (b.length() >= MAX_LINE) throw new ProtocolException("answer line over " + MAX_LINE + " bytes");
      b.append((char) c);
    }
  }

  private static int millisLeft(long deadline) throws SocketTimeoutException {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0) throw new SocketTimeoutException("timed out");
    return (int) Math.min(Integer.MAX_VALUE, left);
  }

  /** At most 60 characters of what the server sent, quoted, control characters as '?'. */
  private static String shown(String text) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < Math.min(60, text.length()); i++) {
      char c = text.charAt(i);
      b.append(c < 0x20 || c >= 0x7f ? '?' : c);
    }
    return b.append(text.length() > 60 ? "...\"" : "\"").toString();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closed already: nothing holds it
    }
  }
}
