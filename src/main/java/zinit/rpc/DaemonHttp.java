package zinit.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import zinit.config.ServiceFiles;
import zinit.http.HttpProxy;
import zinit.logs.LogRing;

/**
 * The HTTP server system_start_http_server runs inside the daemon: requests go straight to the
 * dispatcher, log streams straight to the ring. Its token is written to {@code <socket>.token}.
 */
final class DaemonHttp implements Methods.HttpControl {
  private final Path socket;
  private final LogRing logs;
  private final Limits limits;
  private final Consumer<String> log;
  private Dispatcher dispatcher; // set once, before the server accepts connections
  // guarded by this
  private HttpProxy server;
  private String token;

  DaemonHttp(Path socket, LogRing logs, Limits limits, Consumer<String> log) {
    this.socket = socket;
    this.logs = logs;
    this.limits = limits;
    this.log = log;
  }

  void dispatcher(Dispatcher d) {
    this.dispatcher = d;
  }

  @Override
  public synchronized String start(String address) throws RpcError {
    InetSocketAddress at;
    try {
      at = HttpProxy.parseAddress(address);
    } catch (IllegalArgumentException e) {
      throw RpcError.invalidParams("starting http server: " + e.getMessage());
    }
    stopQuietly();
    Path tokenFile = HttpProxy.tokenFile(socket);
    try {
      token = HttpProxy.newToken();
      HttpProxy.writeToken(tokenFile, token);
      server = HttpProxy.start(at, token, new Local(), log, limits.http());
    } catch (IOException e) {
      throw Errors.internal("starting http server", null, e);
    }
    InetSocketAddress bound = server.address();
    log.accept("http: serving JSON-RPC on " + bound + ", token in " + tokenFile);
    return "HTTP server started at " + bound.getHostString() + ":" + bound.getPort() + " (token in " + tokenFile + ")";
  }

  @Override
  public synchronized void stop() throws RpcError {
    if (server == null) throw RpcError.invalidParams("stopping http server: no HTTP server is running");
    stopQuietly();
  }

  synchronized void stopQuietly() {
    if (server != null) {
      server.close();
      HttpProxy.removeToken(HttpProxy.tokenFile(socket), token);
    }
    server = null;
  }

  private final class Local implements HttpProxy.Backend {
    @Override
    public String call(byte[] body) {
      if (body.length == 0) body = " ".getBytes(StandardCharsets.US_ASCII);
      JsonNode reply = dispatcher.handle(body, Session.NO_PUSH);
      if (reply == null) return null;
      byte[] line = Dispatcher.encode(reply, limits.maxReply());
      return new String(line, StandardCharsets.UTF_8);
    }

    @Override
    public HttpProxy.LogFeed follow(String serviceOrNull) {
      if (serviceOrNull != null) ServiceFiles.checkName(serviceOrNull);
      LogRing.Subscription sub = logs.subscribe(serviceOrNull, limits.subscriberQueue(), true);
      return new HttpProxy.LogFeed() {
        private volatile boolean closed;

        @Override
        public String next(long timeoutMillis) throws IOException, InterruptedException {
          String line = sub.poll(timeoutMillis, TimeUnit.MILLISECONDS);
          if (line == null && closed) throw new EOFException();
          return line;
        }

        @Override
        public void close() {
          closed = true;
          sub.close();
        }
      };
    }
  }
}
