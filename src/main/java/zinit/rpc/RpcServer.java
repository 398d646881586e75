package zinit.rpc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import com.fasterxml.jackson.databind.node.NullNode;
import zinit.config.ServiceFiles;
import zinit.guard.AcceptBackoff;
import zinit.guard.Episode;
import zinit.guard.FdReserve;
import zinit.logs.LogRing;
import zinit.metrics.Metrics;
import zinit.metrics.Observability;
import zinit.supervisor.Services;

/** zinit's JSON-RPC 2.0 server on a Unix domain socket. */
public final class RpcServer {
  /**
   * @param socketGroupOrNull group whose members may use the socket (mode 0660), or null (0600)
   * @param log where the server reports refused or dropped clients
   * @param fdLimit zinit's RLIMIT_NOFILE: the connection caps keep a reserve below it
   * @param reserve fds let go to accept a client when all others are taken
   * @param observabilityOrNull metrics and health; null for metrics of the services alone
   */
  public record Options(
      String socketGroupOrNull, Consumer<String> log, long fdLimit, FdReserve reserve, Observability observabilityOrNull) {
    /** With the bounds of a process that may open 2^20 files, no fd reserve, metrics of the services alone. */
    public Options(String socketGroupOrNull, Consumer<String> log) {
      this(socketGroupOrNull, log, 1 << 20, FdReserve.NONE, null);
    }
  }

  private final SocketFile socket;
  private final PeerPolicy peers;
  private final Dispatcher dispatcher;
  private final DaemonHttp http;
  private final LogRing logs;
  private final Limits limits;
  private final Consumer<String> log;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final ScheduledThreadPoolExecutor deadlines;
  private final Episode full;
  private final Episode refused;
  private final Episode shortage;
  private final FdReserve reserve;
  /** Threads for a few connections when no thread can be made (a service took every process slot). */
  private final ThreadReserve threads;
  private volatile boolean closing;

  private RpcServer(
      SocketFile socket,
      PeerPolicy peers,
      Dispatcher dispatcher,
      DaemonHttp http,
      LogRing logs,
      Limits limits,
      Consumer<String> log,
      FdReserve reserve,
      Bound bound) {
    this.socket = socket;
    this.peers = peers;
    this.dispatcher = dispatcher;
    this.http = http;
    this.logs = logs;
    this.limits = limits;
    this.log = log;
    this.full = new Episode(log);
    this.refused = new Episode(log);
    this.shortage = new Episode(log);
    this.reserve = reserve;
    this.threads = bound.threads;
    threads.log(log);
    this.deadlines = bound.deadlines;
  }

  /**
   * The socket taken but not answered on yet: zinit holds it before it starts any service, and
   * clients queue in the backlog until {@link #start(Bound, Services, LogRing, ServiceFiles,
   * Options)} accepts them.
   */
  public static final class Bound {
    private final SocketFile file;
    private final PeerPolicy peers;
    // Made with the socket, before any service runs: a service may take every process slot
    // zinit shares with it, and then no thread can be made (see ThreadReserve).
    private final ThreadReserve threads = new ThreadReserve(4);
    private final ScheduledThreadPoolExecutor deadlines =
        new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("zinit-rpc-deadlines").daemon().factory());
    private final CompletableFuture<RpcServer> served = new CompletableFuture<>();
    private final boolean acceptor;

    private Bound(SocketFile file, PeerPolicy peers) {
      this.file = file;
      this.peers = peers;
      deadlines.setRemoveOnCancelPolicy(true);
      boolean started;
      try {
        deadlines.prestartAllCoreThreads();
        // The accept loop's platform thread, waiting for start(); a virtual one needs a carrier
        // thread, which the JDK ends when idle and may not be able to make again.
        Thread.ofPlatform().daemon().name("zinit-rpc-accept").start(() -> {
          RpcServer server;
          try {
            server = served.join();
          } catch (java.util.concurrent.CompletionException released) {
            return;
          }
          server.acceptLoop();
        });
        started = true;
      } catch (OutOfMemoryError noThread) {
        started = false; // start() runs the loop on a virtual thread
      }
      acceptor = started;
    }

    public Path socket() {
      return file.path();
    }

    /** Gives the socket up again, for a start-up that fails after taking it. */
    public void release() {
      served.completeExceptionally(new IllegalStateException("released"));
      deadlines.shutdownNow();
      threads.close();
      try {
        file.channel().close();
        file.remove();
      } catch (IOException e) {
        // the socket file stays behind; the next zinit replaces it as stale
      }
    }
  }

  /**
   * Takes {@code socket}: refuses when another zinit answers there, replaces a stale socket file
   * that nobody answers on, creates no directory. The message of the IOException is one line
   * fit for the user ("permission denied", "no such group", ...).
   */
  public static Bound bind(Path socket, String socketGroupOrNull) throws IOException {
    SocketFile file = SocketFile.bind(socket, socketGroupOrNull);
    try {
      return new Bound(file, PeerPolicy.of(file.path(), socketGroupOrNull));
    } catch (IOException | RuntimeException e) {
      file.channel().close();
      file.remove();
      throw e;
    }
  }

  /** Binds {@code socket} and serves on it at once (tests; zinit itself binds first). */
  public static RpcServer start(Path socket, Services services, LogRing logs, ServiceFiles files, Options options)
      throws IOException {
    return start(socket, services, logs, files, options, Limits.forFdLimit(options.fdLimit()));
  }

  static RpcServer start(Path socket, Services services, LogRing logs, ServiceFiles files, Options options, Limits limits)
      throws IOException {
    return start(bind(socket, options.socketGroupOrNull()), services, logs, files, options, limits);
  }

  /** Starts answering on a socket taken by {@link #bind}. */
  public static RpcServer start(Bound bound, Services services, LogRing logs, ServiceFiles files, Options options) {
    return start(bound, services, logs, files, options, Limits.forFdLimit(options.fdLimit()));
  }

  static RpcServer start(Bound bound, Services services, LogRing logs, ServiceFiles files, Options options, Limits limits) {
    Consumer<String> log = options.log() == null ? line -> {} : options.log();
    Observability obs =
        options.observabilityOrNull() != null ? options.observabilityOrNull() : new Metrics(services, null);
    DaemonHttp http = new DaemonHttp(bound.socket(), logs, limits, log, obs);
    Dispatcher dispatcher = new Dispatcher(new Methods(services, logs, files, http, obs, limits.maxReply()).table(), log, limits.maxReply());
    http.dispatcher(dispatcher);
    RpcServer server = new RpcServer(bound.file, bound.peers, dispatcher, http, logs, limits, log, options.reserve(), bound);
    if (bound.acceptor) bound.served.complete(server);
    else Thread.ofVirtual().name("zinit-rpc-accept").start(server::acceptLoop);
    return server;
  }

  /** The socket's absolute path. */
  public Path socket() {
    return socket.path();
  }

  /**
   * Stops accepting, lets replies in flight be written (up to about a second), closes every
   * connection and the HTTP server, and removes the socket file if it is still this server's.
   */
  public void close() {
    closing = true;
    try {
      socket.channel().close();
    } catch (IOException e) {
      log.accept("rpc: closing the listening socket: " + e.getMessage());
    }
    http.stopQuietly();
    connections.forEach(Connection::finish);
    CompletableFuture<?> all =
        CompletableFuture.allOf(connections.stream().map(Connection::done).toArray(CompletableFuture[]::new));
    try {
      all.get(1, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // replies still pending after the grace time are given up below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connections.forEach(c -> c.drop(null));
    deadlines.shutdownNow();
    threads.close();
    try {
      socket.remove();
    } catch (IOException e) {
      log.accept("rpc: removing " + socket.path() + ": " + e.getMessage());
    }
  }

  Set<String> methodNames() {
    return dispatcher.methodNames();
  }

  private void acceptLoop() {
    AcceptBackoff backoff = new AcceptBackoff("rpc", log);
    boolean viaReserve = false;
    while (!closing) {
      SocketChannel channel;
      try {
        channel = socket.channel().accept();
        backoff.succeeded();
        if (!viaReserve) shortage.over("rpc: fds free again");
        viaReserve = false;
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        // EMFILE and friends: the client stays queued, so retrying at once would spin. Let a
        // reserved fd go for it first, so root still gets an answer while others hold every fd.
        if (reserve.release()) {
          shortage.happened("rpc: accept failed (" + e.getMessage() + "); accepting through zinit's fd reserve");
          viaReserve = true;
          continue;
        }
        try {
          backoff.failed(e);
        } catch (InterruptedException stop) {
          return;
        }
        continue;
      }
      admit(channel);
    }
  }

  private void admit(SocketChannel channel) {
    String peer = "unknown peer";
    boolean privileged;
    try {
      UnixDomainPrincipal who = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
      peer = "user " + who.user().getName();
      String refusal = peers.refusal(who);
      if (refusal != null) {
        refused.happened("rpc: refused connection of " + peer + ": " + refusal);
        refuse(channel, refusal);
        return;
      }
      privileged = peers.privileged(who);
    } catch (IOException | RuntimeException e) {
      log.accept("rpc: cannot identify a client, refusing it: " + e);
      refuse(channel, "cannot identify the client");
      return;
    }
    // Only this thread adds connections, so the count can only fall between check and add.
    int cap = limits.maxConnections() + (privileged ? limits.privilegedExtra() : 0);
    if (connections.size() >= cap) {
      full.happened("rpc: " + connections.size() + " connections open (the limit), refusing new ones");
      refuse(channel, "zinit has too many connections open (" + connections.size() + "); retry later");
      return;
    }
    full.over("rpc: accepting connections again");
    refused.over("rpc: a permitted client connected");
    Connection c = new Connection(channel, dispatcher, logs, limits, log, peer, deadlines, threads);
    connections.add(c);
    c.done().whenComplete((v, e) -> {
      connections.remove(c);
      reserve.replenish();
    });
    if (closing) c.finish();
    try {
      c.start();
    } catch (OutOfMemoryError | RuntimeException noThread) {
      // No thread of any kind for this client: it is closed, and the loop goes on accepting (the
      // error used to end the accept thread, and zinit answered no one again)
      shortage.happened("rpc: no thread for a client (" + noThread.getMessage() + "); closing its connection");
      c.drop("no thread to serve it");
    }
  }

  private void refuse(SocketChannel channel, String why) {
    // a fresh socket's buffer easily takes one small line, so this write does not block
    Thread.ofVirtual().start(() -> {
      try (channel) {
        byte[] line = Dispatcher.encode(Dispatcher.error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST, why)));
        channel.write(ByteBuffer.wrap(line));
      } catch (IOException e) {
        // the refused client left already
      } finally {
        reserve.replenish();
      }
    });
  }
}
