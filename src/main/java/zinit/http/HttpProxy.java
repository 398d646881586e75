package zinit.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * zinit's JSON-RPC over HTTP. {@code POST /} takes a JSON-RPC request or batch and answers with
 * its reply; {@code GET /logs[?filter=NAME]} streams the log buffer and then new lines as
 * server-sent events. Every request needs {@code Authorization: Bearer TOKEN}; no CORS headers are
 * sent, so browsers keep other origins' pages from reading replies. {@code GET /ui/} is the
 * dashboard's static page ({@link UiFiles}), the one thing served without the token.
 */
public final class HttpProxy {
  /** Largest request body accepted. */
  public static final int MAX_BODY = 1 << 20;

  private static final long KEEPALIVE_MILLIS = 15_000;

  /** Where requests go: the daemon's dispatcher, or a unix socket connection. */
  public interface Backend {
    /** One JSON-RPC text in; the reply text out, or null when none is due (only notifications). */
    String call(byte[] body) throws IOException;

    /** The log buffer's lines (for one service, or all), then new ones as they come. */
    LogFeed follow(String serviceOrNull) throws IOException;
  }

  /** A stream of log lines. */
  public interface LogFeed extends AutoCloseable {
    /** The next line, or null when none came within the timeout; EOFException once it ended. */
    String next(long timeoutMillis) throws IOException, InterruptedException;

    @Override
    void close();
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final byte[] expected;
  private final Backend backend;
  private final Consumer<String> log;
  private final Set<LogFeed> feeds = ConcurrentHashMap.newKeySet();

  private HttpProxy(HttpServer server, ExecutorService executor, String token, Backend backend, Consumer<String> log) {
    this.server = server;
    this.executor = executor;
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.backend = backend;
    this.log = log;
  }

  public static HttpProxy start(InetSocketAddress address, String token, Backend backend, Consumer<String> log)
      throws IOException {
    if (token == null || token.length() < 16) throw new IllegalArgumentException("token too short");
    HttpServer server = HttpServer.create(address, 64);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    HttpProxy proxy = new HttpProxy(server, executor, token, backend, log);
    server.setExecutor(executor);
    server.createContext("/", proxy::handle);
    server.start();
    if (!address.getAddress().isLoopbackAddress())
      log.accept("http: WARNING: listening on non-loopback " + address + "; anyone with the token can control zinit");
    return proxy;
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops listening and ends open log streams. */
  public void close() {
    server.stop(0);
    feeds.forEach(LogFeed::close);
    executor.shutdownNow();
  }

  /** "127.0.0.1:8080", "localhost:8080", "[::1]:8080". */
  public static InetSocketAddress parseAddress(String text) {
    int colon = text == null ? -1 : text.lastIndexOf(':');
    if (colon <= 0) throw new IllegalArgumentException("address must be HOST:PORT, got '" + text + "'");
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port of '" + text + "' is not a number");
    }
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port of '" + text + "' is out of range");
    InetSocketAddress a = new InetSocketAddress(host, port);
    if (a.isUnresolved()) throw new IllegalArgumentException("cannot resolve host '" + host + "'");
    return a;
  }

  /** 32 random bytes, hex. */
  public static String newToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The token file of the server behind {@code socket}: {@code <socket>.token}. */
  public static Path tokenFile(Path socket) {
    return socket.resolveSibling(socket.getFileName() + ".token");
  }

  /** Writes the token readable only by its owner (0600 from its creation), replacing any older one. */
  public static void writeToken(Path file, String token) throws IOException {
    Path tmp =
        Files.createTempFile(
            file.toAbsolutePath().getParent(), ".token-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(tmp, token + "\n");
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Removes the token file if it still holds {@code token} (a newer server may have replaced it). */
  public static void removeToken(Path file, String token) {
    try {
      if (Files.readString(file).strip().equals(token)) Files.delete(file);
    } catch (IOException e) {
      // gone already, or unreadable: nothing of ours to remove
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (UiFiles.owns(path)) {
        UiFiles.serve(ex);
        return;
      }
      if (!path.equals("/") && !path.equals("/logs")) {
        reply(ex, 404, "text/plain", "not found: use POST / or GET /logs (the dashboard is at /ui/)\n");
        return;
      }
      if (!authorized(ex)) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"zinit\"");
        reply(ex, 401, "text/plain", "missing or wrong token: send Authorization: Bearer TOKEN\n");
        return;
      }
      if (path.equals("/")) rpc(ex);
      else logs(ex);
    } catch (IOException | RuntimeException e) {
      log.accept("http: " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + ": " + e);
    }
  }

  private boolean authorized(HttpExchange ex) {
    String header = ex.getRequestHeaders().getFirst("Authorization");
    return header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expected);
  }

  private void rpc(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      ex.getResponseHeaders().set("Allow", "POST");
      reply(ex, 405, "text/plain", "use POST with a JSON-RPC body\n");
      return;
    }
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      reply(ex, 413, "text/plain", "request larger than " + MAX_BODY + " bytes\n");
      return;
    }
    String answer = backend.call(body);
    if (answer == null) {
      ex.sendResponseHeaders(204, -1);
      return;
    }
    reply(ex, 200, "application/json", answer.endsWith("\n") ? answer : answer + "\n");
  }

  private void logs(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("GET")) {
      ex.getResponseHeaders().set("Allow", "GET");
      reply(ex, 405, "text/plain", "use GET\n");
      return;
    }
    String filter = queryParam(ex.getRequestURI(), "filter");
    LogFeed feed;
    try {
      feed = backend.follow(filter);
    } catch (IllegalArgumentException e) {
      reply(ex, 400, "text/plain", e.getMessage() + "\n");
      return;
    }
    feeds.add(feed);
    try (feed) {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      while (true) {
        String line = feed.next(KEEPALIVE_MILLIS);
        // a comment line keeps proxies from timing out and finds clients that left
        String event = line == null ? ": keepalive\n\n" : "data: " + line.replace("\r", "").replace("\n", " ") + "\n\n";
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (EOFException ended) {
      // the feed ended (zinit stopping, or the proxy's socket closed)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      feeds.remove(feed);
    }
  }

  private static String queryParam(URI uri, String name) {
    String q = uri.getRawQuery();
    if (q == null) return null;
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name)) {
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        return v.isEmpty() ? null : v;
      }
    }
    return null;
  }

  private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }
}
