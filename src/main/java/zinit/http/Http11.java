package zinit.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import zinit.guard.AcceptBackoff;
import zinit.guard.ByteBudget;
import zinit.guard.Episode;

/**
 * A small HTTP/1.1 server on virtual threads, with every resource a client can make it hold
 * bounded: connections (refused at once past the cap), time to send the head, the body, to go
 * idle between requests and to take a response, bytes of head and body. The JDK's HttpServer is
 * not used because it bounds none of this per server (only through process-wide system
 * properties), spins its dispatcher when accept fails with EMFILE, and formats a Date header
 * with time-zone data it loads lazily, which fails for good if the first request comes while
 * fds are exhausted.
 */
final class Http11 {
  /** What the server does with each request. */
  interface Handler {
    void handle(Exchange exchange) throws IOException, Exchange.Refused;
  }

  private static final int MAX_HEAD = 16 * 1024;
  // how long, and how much, a closing connection's unread input is drained (see lingeringClose)
  private static final Duration LINGER = Duration.ofSeconds(2);
  private static final long LINGER_BYTES = 2L << 20;

  private final ServerSocket server;
  private final HttpProxy.Bounds bounds;
  private final Handler handler;
  private final Consumer<String> log;
  private final ScheduledThreadPoolExecutor watchdog;
  private final AtomicInteger open = new AtomicInteger();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  /**
   * The connections waiting for a request head (a new one, or a kept-alive one between requests)
   * or closing (their unread input drained), longest waiting first. At the cap the first of them
   * is closed to make room: anyone on the host can connect to loopback and ask for a probe that
   * needs no token, and connections that sent nothing, idled after a probe or were refused with a
   * body to drain otherwise locked out every request for as long as they were held.
   */
  private final ConcurrentLinkedDeque<Slot> waiting = new ConcurrentLinkedDeque<>();
  private final Episode full;
  private volatile boolean closed;

  private Http11(ServerSocket server, HttpProxy.Bounds bounds, Handler handler, Consumer<String> log) {
    this.server = server;
    this.bounds = bounds;
    this.handler = handler;
    this.log = log;
    this.full = new Episode(log);
    this.watchdog = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("zinit-http-deadlines").daemon().factory());
    watchdog.setRemoveOnCancelPolicy(true);
  }

  static Http11 start(InetSocketAddress address, HttpProxy.Bounds bounds, Handler handler, Consumer<String> log) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(address, 64);
    Http11 http = new Http11(server, bounds, handler, log);
    Thread.ofVirtual().name("zinit-http-accept").start(http::acceptLoop);
    return http;
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /**
   * The client ports of the connections that may make room (waiting for a request, or closing),
   * longest waiting first; for tests, which cannot see when the server has taken a connection in.
   */
  List<Integer> waitingPorts() {
    return waiting.stream().map(slot -> slot.socket.getPort()).toList();
  }

  /** Stops accepting and closes every connection. */
  void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      log.accept("http: closing the listening socket: " + e.getMessage());
    }
    sockets.forEach(Exchange::closeQuietly);
    watchdog.shutdownNow();
  }

  private void acceptLoop() {
    AcceptBackoff backoff = new AcceptBackoff("http", log);
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
        backoff.succeeded();
      } catch (IOException e) {
        if (closed) return;
        try {
          backoff.failed(e);
        } catch (InterruptedException stop) {
          return;
        }
        continue;
      }
      admit(s);
    }
  }

  private void admit(Socket s) {
    if (open.incrementAndGet() > bounds.maxConnections()) {
      Slot oldest;
      do oldest = waiting.pollFirst(); while (oldest != null && !oldest.release()); // skips one that just ended
      if (oldest == null) {
        open.decrementAndGet();
        full.happened("http: " + bounds.maxConnections() + " connections open (the limit), all serving a request, refusing new ones");
        refuse(s);
        return;
      }
      // its place is this connection's (released above): the count stays at the cap
      Exchange.closeQuietly(oldest.socket);
      full.happened("http: " + bounds.maxConnections() + " connections open (the limit), closing the longest waiting for a request for each new one");
    } else {
      full.over("http: accepting connections again");
    }
    Slot slot = new Slot(s);
    waiting(slot);
    sockets.add(s);
    if (closed) Exchange.closeQuietly(s);
    Thread.ofVirtual().name("zinit-http").start(() -> {
      try {
        new Conn(s, slot).serve();
        waiting(slot); // its response is out: the drain below may make room
        lingeringClose(s);
      } finally {
        waiting.remove(slot);
        sockets.remove(s);
        Exchange.closeQuietly(s);
        slot.release();
      }
    });
  }

  /** One connection's place under the cap, given back once: at its end, or when it is closed to make room. */
  private final class Slot {
    final Socket socket;
    private final AtomicBoolean released = new AtomicBoolean();

    Slot(Socket socket) {
      this.socket = socket;
    }

    /** Gives the place back; false when it was given back already. */
    boolean release() {
      if (!released.compareAndSet(false, true)) return false;
      open.decrementAndGet();
      return true;
    }
  }

  /** {@code slot} may make room from now on, after those waiting longer; once in the queue at most. */
  private void waiting(Slot slot) {
    waiting.remove(slot);
    waiting.addLast(slot);
  }

  /**
   * Ends the response, then reads and drops what the client is still sending (an unread body of a
   * refused request) for a moment before closing. Closing with unread bytes makes the kernel
   * send a reset, which can destroy the response before the client has read it.
   */
  private void lingeringClose(Socket s) {
    if (s.isClosed()) return;
    ScheduledFuture<?> deadline = null;
    try {
      s.shutdownOutput();
      deadline = watchdog.schedule(() -> Exchange.closeQuietly(s), LINGER.toMillis(), TimeUnit.MILLISECONDS);
      byte[] sink = new byte[8192];
      InputStream in = s.getInputStream();
      for (long left = LINGER_BYTES; left > 0; ) {
        int n = in.read(sink);
        if (n < 0) return;
        left -= n;
      }
    } catch (IOException | RejectedExecutionException e) {
      // the client left or the linger ran out: closing is all that is left to do
    } finally {
      if (deadline != null) deadline.cancel(false);
    }
  }

  /** A fresh socket's send buffer takes this short answer without blocking the accept loop. */
  private static void refuse(Socket s) {
    try (s) {
      s.getOutputStream().write(simple(503, "too many connections, retry later\n"));
    } catch (IOException e) {
      // the refused client left already
    }
  }

  private static byte[] simple(int status, String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 " + status + " " + Exchange.reason(status) + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
            + body.length + "\r\nConnection: close\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(h, h.length + body.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }

  /** One connection: requests one after another, each phase under its own deadline. */
  final class Conn {
    private final Socket socket;
    private final Slot slot;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[MAX_HEAD];
    private int start; // unread bytes are buf[start, end)
    private int end;
    private long held; // budget bytes held by the current exchange

    Conn(Socket socket, Slot slot) {
      this.socket = socket;
      this.slot = slot;
      InputStream i = null;
      OutputStream o = null;
      try {
        socket.setTcpNoDelay(true);
        i = socket.getInputStream();
        o = socket.getOutputStream();
      } catch (IOException e) {
        // serve() sees the null streams and ends at once
      }
      this.in = i;
      this.out = o;
    }

    ByteBudget budget() {
      return bounds.budget();
    }

    void holding(long bytes) {
      held += bytes;
    }

    void serve() {
      if (in == null) return;
      boolean first = true;
      try {
        while (!closed) {
          if (!first) waiting(slot); // idle between requests: may make room again
          RequestHead head = readHead(first ? bounds.head() : bounds.idle());
          if (head == null) return;
          waiting.remove(slot); // a whole request came: it is served
          first = false;
          Exchange ex = new Exchange(this, head);
          try {
            handler.handle(ex);
          } catch (Exchange.Refused r) {
            ex.reply(r.status, "text/plain", (r.getMessage() + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
          } finally {
            budget().give(held);
            held = 0;
          }
          if (!ex.responded() || !ex.keepAlive()) return;
        }
      } catch (RequestHead.Malformed e) {
        tryWrite(simple(e.status, e.getMessage() + "\n"));
      } catch (IOException | RejectedExecutionException e) {
        // the client left, a deadline closed the socket, or the server is closing: nothing to
        // tell anyone
      }
    }

    /** The next request's head, or null when the client closed (or waited too long) between requests. */
    private RequestHead readHead(Duration firstByteWithin) throws IOException, RequestHead.Malformed {
      compact();
      ScheduledFuture<?> deadline = arm(firstByteWithin);
      try {
        if (end == start && !fill()) return null;
      } catch (SocketException timedOut) {
        return null;
      } finally {
        deadline.cancel(false);
      }
      deadline = arm(bounds.head());
      try {
        for (int scanned = start; ; ) {
          int headEnd = headEnd(scanned);
          if (headEnd >= 0) {
            RequestHead head = RequestHead.parse(buf, start, headEnd - start);
            start = headEnd;
            return head;
          }
          scanned = Math.max(start, end - 3);
          if (end == buf.length) throw new RequestHead.Malformed(431, "request head larger than " + MAX_HEAD + " bytes");
          if (!fill()) return null;
        }
      } catch (SocketException timedOut) {
        if (deadline.isDone()) throw new RequestHead.Malformed(408, "request head not complete within " + bounds.head().toSeconds() + " s");
        throw timedOut;
      } finally {
        deadline.cancel(false);
      }
    }

    /** Index just past the blank line ending the head, or -1. */
    private int headEnd(int from) {
      for (int i = from; i < end; i++) {
        if (buf[i] != '\n') continue;
        if (i + 1 < end && buf[i + 1] == '\n') return i + 2;
        if (i + 2 < end && buf[i + 1] == '\r' && buf[i + 2] == '\n') return i + 3;
      }
      return -1;
    }

    byte[] readBody(int length) throws IOException {
      byte[] body = new byte[length];
      int have = Math.min(length, end - start);
      System.arraycopy(buf, start, body, 0, have);
      start += have;
      ScheduledFuture<?> deadline = arm(bounds.body());
      try {
        while (have < length) {
          int n = in.read(body, have, length - have);
          if (n < 0) throw new IOException("client closed before sending its body");
          have += n;
        }
      } finally {
        deadline.cancel(false);
      }
      return body;
    }

    void write(byte[] bytes) throws IOException {
      ScheduledFuture<?> deadline = arm(bounds.write());
      try {
        out.write(bytes);
        out.flush();
      } finally {
        deadline.cancel(false);
      }
    }

    private void tryWrite(byte[] bytes) {
      try {
        write(bytes);
      } catch (IOException e) {
        // the client left
      }
    }

    private boolean fill() throws IOException {
      int n = in.read(buf, end, buf.length - end);
      if (n < 0) return false;
      end += n;
      return true;
    }

    private void compact() {
      if (start == 0) return;
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      start = 0;
    }

    /** Closes the socket when {@code within} passes, which ends a read or write blocked on it. */
    private ScheduledFuture<?> arm(Duration within) {
      return watchdog.schedule(() -> Exchange.closeQuietly(socket), within.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
