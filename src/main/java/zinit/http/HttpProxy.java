package zinit.http;

import java.io.EOFException;
import java.io.IOException;
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
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import zinit.guard.ByteBudget;

/**
 * zinit's JSON-RPC over HTTP. {@code POST /} takes a JSON-RPC request or batch and answers with
 * its reply; {@code GET /logs[?filter=NAME]} streams the log buffer and then new lines as
 * server-sent events. Every request needs {@code Authorization: Bearer TOKEN}; no CORS headers are
 * sent, so browsers keep other origins' pages from reading replies. {@code GET /ui/} is the
 * dashboard's static page ({@link UiFiles}); it and {@code GET /healthz} and {@code /readyz}
 * ({@link ProbeRoutes}, which also serves {@code /metrics} behind the token) are the only things
 * served without the token.
 */
public final class HttpProxy {
  /** Largest request body accepted. */
  public static final int MAX_BODY = 1 << 20;

  private static final long KEEPALIVE_MILLIS = 15_000;

  /**
   * What one HTTP server lets its clients hold.
   *
   * @param maxConnections open connections at once, authorised or not; more are refused at once
   * @param head time from accept (or, on a kept-alive connection, the first byte) to a complete
   *     request head
   * @param body time to receive a request body
   * @param idle time a kept-alive connection may wait for its next request
   * @param write time a client gets to take one response or one log event
   * @param budget bytes of request bodies held at once (shared with the socket server)
   */
  public record Bounds(int maxConnections, Duration head, Duration body, Duration idle, Duration write, ByteBudget budget) {
    public static Bounds standard(int maxConnections, ByteBudget budget) {
      return new Bounds(maxConnections, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), budget);
    }
  }

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

  private Http11 server;
  private ProbeRoutes probes; // null: no monitoring routes; set before the server starts
  private final byte[] expected;
  private final Backend backend;
  private final Consumer<String> log;
  private final Set<LogFeed> feeds = ConcurrentHashMap.newKeySet();

  private HttpProxy(String token, Backend backend, Consumer<String> log) {
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.backend = backend;
    this.log = log;
  }

  /** A server for `zinit proxy`: 64 connections, 32 MiB of request bodies. */
  public static HttpProxy start(InetSocketAddress address, String token, Backend backend, Consumer<String> log)
      throws IOException {
    return start(address, token, backend, null, log);
  }

  /**
   * A server for `zinit proxy`; with {@code probesOrNull}, also serves GET /metrics (token),
   * /healthz and /readyz (no token).
   */
  public static HttpProxy start(
      InetSocketAddress address, String token, Backend backend, Probes probesOrNull, Consumer<String> log)
      throws IOException {
    return start(address, token, backend, probesOrNull, log, Bounds.standard(64, new ByteBudget(32 << 20)));
  }

  public static HttpProxy start(InetSocketAddress address, String token, Backend backend, Consumer<String> log, Bounds bounds)
      throws IOException {
    return start(address, token, backend, null, log, bounds);
  }

  public static HttpProxy start(
      InetSocketAddress address, String token, Backend backend, Probes probesOrNull, Consumer<String> log, Bounds bounds)
      throws IOException {
    if (token == null || token.length() < 16) throw new IllegalArgumentException("token too short");
    HttpProxy proxy = new HttpProxy(token, backend, log);
    if (probesOrNull != null) proxy.probes = new ProbeRoutes(probesOrNull, proxy::authorized, log);
    proxy.server = Http11.start(address, bounds, proxy::handle, log);
    if (!address.getAddress().isLoopbackAddress())
      log.accept("http: WARNING: listening on non-loopback " + address + "; anyone with the token can control zinit");
    return proxy;
  }

  public InetSocketAddress address() {
    return server.address();
  }

  /** See {@link Http11#waitingPorts}. */
  List<Integer> waitingPorts() {
    return server.waitingPorts();
  }

  /** Stops listening and ends open log streams. */
  public void close() {
    server.close();
    feeds.forEach(LogFeed::close);
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

  private void handle(Exchange ex) throws IOException, Exchange.Refused {
    String path = ex.uri().getPath();
    if (path != null && UiFiles.owns(path)) {
      UiFiles.serve(ex);
      return;
    }
    if (path != null && probes != null && ProbeRoutes.owns(path)) {
      probes.serve(ex); // /metrics checks the token itself; /healthz and /readyz need none
      return;
    }
    if (path == null || (!path.equals("/") && !path.equals("/logs"))) {
      reply(ex, 404, "text/plain", "not found: use POST / or GET /logs (the dashboard is at /ui/)\n");
      return;
    }
    if (!authorized(ex)) {
      reply(ex, 401, "text/plain", "missing or wrong token: send Authorization: Bearer TOKEN\n", Map.of("WWW-Authenticate", "Bearer realm=\"zinit\""));
      return;
    }
    try {
      if (path.equals("/")) rpc(ex);
      else logs(ex);
    } catch (RuntimeException e) {
      log.accept("http: " + ex.method() + " " + path + ": " + e);
      if (!ex.responded()) reply(ex, 500, "text/plain", "internal error: " + e.getMessage() + "\n");
    }
  }

  private boolean authorized(Exchange ex) {
    String header = ex.header("authorization");
    return header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expected);
  }

  private void rpc(Exchange ex) throws IOException, Exchange.Refused {
    if (!ex.method().equals("POST")) {
      reply(ex, 405, "text/plain", "use POST with a JSON-RPC body\n", Map.of("Allow", "POST"));
      return;
    }
    byte[] body = ex.body(MAX_BODY);
    String answer = backend.call(body);
    if (answer == null) {
      ex.reply(204, null, new byte[0], Map.of());
      return;
    }
    reply(ex, 200, "application/json", answer.endsWith("\n") ? answer : answer + "\n");
  }

  private void logs(Exchange ex) throws IOException {
    if (!ex.method().equals("GET")) {
      reply(ex, 405, "text/plain", "use GET\n", Map.of("Allow", "GET"));
      return;
    }
    String filter = queryParam(ex.uri(), "filter");
    LogFeed feed;
    try {
      feed = backend.follow(filter);
    } catch (IllegalArgumentException e) {
      reply(ex, 400, "text/plain", e.getMessage() + "\n");
      return;
    }
    feeds.add(feed);
    try (feed) {
      OutputStream out = ex.stream("text/event-stream; charset=utf-8", Map.of("Cache-Control", "no-cache"));
      while (true) {
        String line = feed.next(KEEPALIVE_MILLIS);
        // a comment line keeps proxies from timing out and finds clients that left
        String event = line == null ? ": keepalive\n\n" : "data: " + line.replace("\r", "").replace("\n", " ") + "\n\n";
        out.write(event.getBytes(StandardCharsets.UTF_8));
      }
    } catch (EOFException ended) {
      // the feed ended (zinit stopping, or the proxy's socket closed)
    } catch (IOException clientLeft) {
      // a client closing its event stream is how such streams normally end: nothing to report
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

  private static void reply(Exchange ex, int status, String type, String body) throws IOException {
    reply(ex, status, type, body, Map.of());
  }

  private static void reply(Exchange ex, int status, String type, String body, Map<String, String> headers) throws IOException {
    ex.reply(status, type, body.getBytes(StandardCharsets.UTF_8), headers);
  }
}
