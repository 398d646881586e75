package zinit.cli;

import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import zinit.http.HttpProxy;
import zinit.rpc.RpcClient;

/**
 * {@code zinit proxy}: an HTTP server in this process that forwards each request over its own
 * socket connection, so the proxy lives exactly as long as this command and runs with the
 * caller's rights on the socket.
 */
final class Proxy {
  private Proxy() {}

  static int run(Path socket, String address, PrintStream out) throws Exception {
    InetSocketAddress at;
    try {
      at = HttpProxy.parseAddress(address);
    } catch (IllegalArgumentException e) {
      throw new Commands.Failure("proxy: " + e.getMessage());
    }
    try (RpcClient probe = RpcClient.connect(socket)) {
      probe.call("service_list", null);
    }
    String token = HttpProxy.newToken();
    Path tokenFile = HttpProxy.tokenFile(socket);
    HttpProxy.writeToken(tokenFile, token);
    HttpProxy server = HttpProxy.start(at, token, new Forward(socket), line -> System.err.println(line));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      HttpProxy.removeToken(tokenFile, token);
      stopped.countDown();
    }));
    InetSocketAddress bound = server.address();
    out.println("Serving zinit's JSON-RPC on http://" + bound.getHostString() + ":" + bound.getPort() + "/ (logs: GET /logs?filter=NAME)");
    out.println("Token in " + tokenFile + "; send it as 'Authorization: Bearer TOKEN'. Ctrl+C stops.");
    out.println("Dashboard: http://" + bound.getHostString() + ":" + bound.getPort() + "/ui/ (sign in with the token)");
    out.flush();
    stopped.await();
    return 0;
  }

  /** Each request on its own socket connection; each log stream on one subscription. */
  record Forward(Path socket) implements HttpProxy.Backend {
    @Override
    public String call(byte[] body) throws IOException {
      try (RpcClient c = RpcClient.connect(socket)) {
        c.sendRaw(body);
        c.sendRaw(new byte[] {'\n'});
        c.endRequests();
        String reply = new String(c.readRest(), StandardCharsets.UTF_8).strip();
        return reply.isEmpty() ? null : reply;
      }
    }

    @Override
    public HttpProxy.LogFeed follow(String serviceOrNull) throws IOException {
      RpcClient c = RpcClient.connect(socket);
      Map<String, Object> params = new LinkedHashMap<>();
      if (serviceOrNull != null) params.put("name", serviceOrNull);
      params.put("history", true);
      try {
        c.call("stream_subscribeLogs", params);
      } catch (RpcClient.RemoteError e) {
        c.close();
        throw new IllegalArgumentException(e.getMessage());
      }
      LinkedBlockingQueue<Object> lines = new LinkedBlockingQueue<>(4096);
      Object end = new Object();
      Thread.ofVirtual().name("zinit-proxy-logs").start(() -> {
        try {
          Map<String, Object> note;
          while ((note = c.nextNotification()) != null) lines.put(String.valueOf(note.get("result")));
        } catch (IOException | InterruptedException e) {
          // socket closed: the feed ends below
        }
        lines.offer(end);
      });
      return new HttpProxy.LogFeed() {
        @Override
        public String next(long timeoutMillis) throws IOException, InterruptedException {
          Object o = lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
          if (o == end) throw new EOFException();
          return (String) o;
        }

        @Override
        public void close() {
          c.close();
        }
      };
    }
  }
}
