package zinit.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.x request line and header fields, parsed from the bytes before the empty line.
 *
 * @param headers field names in lower case; a repeated field keeps its first value
 */
record RequestHead(String method, URI target, boolean http11, Map<String, String> headers) {
  /** The request cannot be understood; answered with {@code status} and the connection closed. */
  static final class Malformed extends Exception {
    final int status;

    Malformed(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  static RequestHead parse(byte[] bytes, int offset, int length) throws Malformed {
    String text = new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    String[] lines = text.split("\r?\n");
    String[] start = lines[0].split(" ");
    if (start.length != 3 || !start[2].startsWith("HTTP/1."))
      throw new Malformed(400, "malformed request line");
    URI target;
    try {
      target = new URI(start[1]);
    } catch (URISyntaxException e) {
      throw new Malformed(400, "malformed request target");
    }
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) continue;
      int colon = line.indexOf(':');
      if (colon <= 0) throw new Malformed(400, "malformed header line " + i);
      String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      String earlier = headers.putIfAbsent(name, value);
      if (earlier != null && name.equals("content-length") && !earlier.equals(value))
        throw new Malformed(400, "conflicting Content-Length headers");
    }
    return new RequestHead(start[0], target, start[2].equals("HTTP/1.1"), headers);
  }

  String header(String lowerCaseName) {
    return headers.get(lowerCaseName);
  }

  /** The declared body length; 0 when none is declared. */
  long contentLength() throws Malformed {
    if (headers.containsKey("transfer-encoding"))
      throw new Malformed(411, "chunked request bodies are not supported: send Content-Length");
    String v = headers.get("content-length");
    if (v == null) return 0;
    // 1*DIGIT (RFC 9110), ASCII only: Long.parseLong also takes a sign and other scripts' digits,
    // which a proxy in front of zinit may read otherwise (request smuggling)
    if (v.isEmpty() || v.length() > 18) throw new Malformed(400, "bad Content-Length");
    long n = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') throw new Malformed(400, "bad Content-Length");
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** Whether the client wants the connection kept for another request. */
  boolean keepAlive() {
    String c = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
    return http11 ? !c.contains("close") : c.contains("keep-alive");
  }
}
