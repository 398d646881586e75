package zinit.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import zinit.guard.ByteBudget;

/**
 * One request and its response on a connection of {@link Http11}. The head is read when the
 * exchange is made; the body only when the handler asks for it (after checking the token), so an
 * unauthorised client never makes zinit buffer a body.
 */
final class Exchange {
  /** The request cannot be served as sent; answered with {@code status}, then the connection closes. */
  static final class Refused extends Exception {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private final Http11.Conn conn;
  private final RequestHead head;
  private boolean bodyRead;
  private boolean responded;
  private boolean keepAlive;

  Exchange(Http11.Conn conn, RequestHead head) {
    this.conn = conn;
    this.head = head;
    this.keepAlive = head.keepAlive();
  }

  String method() {
    return head.method();
  }

  URI uri() {
    return head.target();
  }

  String header(String lowerCaseName) {
    return head.header(lowerCaseName);
  }

  /**
   * The request body, at most {@code max} bytes, read within the body deadline. Its bytes count
   * against the server's byte budget until the exchange ends.
   */
  byte[] body(int max) throws IOException, Refused {
    long length;
    try {
      length = head.contentLength();
    } catch (RequestHead.Malformed e) {
      throw new Refused(e.status, e.getMessage());
    }
    if (length > max) throw new Refused(413, "request larger than " + max + " bytes");
    if (!conn.budget().tryTake(length))
      throw new Refused(503, "zinit is busy: request buffers are full, retry later");
    conn.holding(length);
    if ("100-continue".equalsIgnoreCase(head.header("expect")) && length > 0)
      conn.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] body = conn.readBody((int) length);
    bodyRead = true;
    return body;
  }

  /** A complete response; the connection stays open only for a client that asked for it and was served. */
  void reply(int status, String type, byte[] body, Map<String, String> headers) throws IOException {
    if (status >= 400 || (!bodyRead && hasBody())) keepAlive = false;
    StringBuilder h = statusLine(status);
    if (type != null) h.append("Content-Type: ").append(type).append("; charset=utf-8\r\n");
    headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
    if (status != 204) h.append("Content-Length: ").append(body.length).append("\r\n");
    if (!keepAlive) h.append("Connection: close\r\n");
    h.append("\r\n");
    byte[] bytes = h.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(bytes, bytes.length + body.length);
    System.arraycopy(body, 0, all, bytes.length, body.length);
    responded = true;
    conn.write(all);
  }

  /** Starts a response of unknown length (server-sent events); the connection closes after it. */
  OutputStream stream(String type, Map<String, String> headers) throws IOException {
    keepAlive = false;
    StringBuilder h = statusLine(200);
    h.append("Content-Type: ").append(type).append("\r\n");
    headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
    h.append("Connection: close\r\n\r\n");
    responded = true;
    conn.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        conn.write(new byte[] {(byte) b});
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        conn.write(Arrays.copyOfRange(b, off, off + len));
      }
    };
  }

  boolean responded() {
    return responded;
  }

  boolean keepAlive() {
    return keepAlive;
  }

  private boolean hasBody() {
    try {
      return head.contentLength() > 0;
    } catch (RequestHead.Malformed e) {
      return true;
    }
  }

  private static StringBuilder statusLine(int status) {
    return new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
  }

  static String reason(int status) {
    return switch (status) {
      case 100 -> "Continue";
      case 200 -> "OK";
      case 204 -> "No Content";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 308 -> "Permanent Redirect";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 411 -> "Length Required";
      case 413 -> "Content Too Large";
      case 431 -> "Request Header Fields Too Large";
      case 503 -> "Service Unavailable";
      default -> "Status " + status;
    };
  }

  static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed by the peer or the watchdog
    }
  }
}
