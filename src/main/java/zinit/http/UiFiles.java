package zinit.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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

  static void serve(HttpExchange ex) throws IOException {
    var h = ex.getResponseHeaders();
    h.set("Content-Security-Policy", CSP);
    h.set("X-Frame-Options", "DENY");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Cache-Control", "no-cache");
    String method = ex.getRequestMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      h.set("Allow", "GET, HEAD");
      send(ex, 405, "text/plain", "use GET\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    String path = ex.getRequestURI().getPath();
    if (path.equals(PREFIX)) {
      // relative module URLs in the page resolve against /ui/, not /
      h.set("Location", PREFIX + "/");
      send(ex, 308, "text/plain", "see /ui/\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    String name = path.substring(PREFIX.length() + 1);
    if (name.isEmpty()) name = "index.html";
    String type = TYPES.get(name);
    byte[] body = type == null ? null : read(name);
    if (body == null) {
      send(ex, 404, "text/plain", ("no such dashboard file: " + name + "\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    send(ex, 200, type, body);
  }

  private static byte[] read(String name) throws IOException {
    try (InputStream in = UiFiles.class.getResourceAsStream(ROOT + name)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
