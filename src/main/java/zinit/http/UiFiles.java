package zinit.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's static files under {@code GET /ui/}, read from the jar. They need no token (the
 * page asks for it and sends it with every API call); only the names listed here are served, so a
 * request path never reaches the class path. Every answer forbids framing and any resource from
 * another origin, so the page works, and only works, without the network.
 */
final class UiFiles {
  static final String PREFIX = "/ui";
  private static final String ROOT = "/zinit/ui/";
  private static final String CSP =
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("index.html", "text/html"),
          Map.entry("app.css", "text/css"),
          Map.entry("boot.js", "text/javascript"),
          Map.entry("app.js", "text/javascript"),
          Map.entry("api.js", "text/javascript"),
          Map.entry("dom.js", "text/javascript"),
          Map.entry("services.js", "text/javascript"),
          Map.entry("service.js", "text/javascript"),
          Map.entry("logs.js", "text/javascript"),
          Map.entry("editor.js", "text/javascript"),
          Map.entry("chart.js", "text/javascript"));

  private UiFiles() {}

  /** Whether {@code path} is the dashboard's to answer. */
  static boolean owns(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  static void serve(Exchange ex) throws IOException {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Security-Policy", CSP);
    h.put("X-Frame-Options", "DENY");
    h.put("X-Content-Type-Options", "nosniff");
    h.put("Referrer-Policy", "no-referrer");
    h.put("Cache-Control", "no-cache");
    String method = ex.method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      h.put("Allow", "GET, HEAD");
      send(ex, 405, "text/plain", "use GET\n", h);
      return;
    }
    String path = ex.uri().getPath();
    if (path.equals(PREFIX)) {
      // relative module URLs in the page resolve against /ui/, not /
      h.put("Location", PREFIX + "/");
      send(ex, 308, "text/plain", "see /ui/\n", h);
      return;
    }
    String name = path.substring(PREFIX.length() + 1);
    if (name.isEmpty()) name = "index.html";
    String type = TYPES.get(name);
    byte[] body = type == null ? null : read(name);
    if (body == null) {
      send(ex, 404, "text/plain", "no such dashboard file: " + name + "\n", h);
      return;
    }
    // HEAD gets the headers of GET without the body (its Content-Length is then 0: harmless here)
    ex.reply(200, type, method.equals("HEAD") ? new byte[0] : body, h);
  }

  private static byte[] read(String name) throws IOException {
    try (InputStream in = UiFiles.class.getResourceAsStream(ROOT + name)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  private static void send(Exchange ex, int status, String type, String body, Map<String, String> headers)
      throws IOException {
    ex.reply(status, type, ex.method().equals("HEAD") ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), headers);
  }
}
