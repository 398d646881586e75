package zinit.rpc;

import zinit.guard.ByteBudget;
import zinit.http.HttpProxy;

/**
 * Resource bounds of the socket server and the daemon's HTTP server.
 *
 * @param maxRequest largest JSON text accepted, in bytes; a bigger one closes the connection
 * @param outboxBytes queued reply bytes above which a connection stops reading requests and its
 *     log pumps wait
 * @param stallMillis how long a connection may stay above outboxBytes before it is dropped as a
 *     client that does not read
 * @param maxSubscriptions log subscriptions per connection
 * @param subscriberQueue log lines queued per subscription before the oldest are skipped
 * @param maxReply largest reply (a batch's replies together); a bigger one is replaced by an error
 * @param maxConnections socket connections at once; more are refused at once
 * @param privilegedExtra connections root and zinit's own user still get once maxConnections is reached
 * @param requestMillis time a client may take to finish a request it has started sending
 * @param budget bytes of requests and large replies all connections (socket and HTTP) may hold at once
 * @param maxHttpConnections connections at once to the HTTP server, with or without a token
 */
record Limits(
    int maxRequest,
    long outboxBytes,
    long stallMillis,
    int maxSubscriptions,
    int subscriberQueue,
    int maxReply,
    int maxConnections,
    int privilegedExtra,
    long requestMillis,
    ByteBudget budget,
    int maxHttpConnections) {
  static final int MIB = 1 << 20;
  // fds kept for zinit itself (the JVM's own, services' pipes, pidfds, cgroup files, /proc reads)
  static final long FD_RESERVE = 128;
  static final Limits DEFAULT = forFdLimit(1 << 20);

  Limits(int maxRequest, long outboxBytes, long stallMillis, int maxSubscriptions, int subscriberQueue) {
    this(maxRequest, outboxBytes, stallMillis, maxSubscriptions, subscriberQueue, MIB, 512, 32, 30_000, new ByteBudget(64L * MIB), 64);
  }

  /**
   * The bounds for a process that may hold {@code fdLimit} files: client connections together
   * never take more than what is left after {@link #FD_RESERVE}.
   */
  static Limits forFdLimit(long fdLimit) {
    long free = Math.max(0, fdLimit - FD_RESERVE);
    return new Limits(
        MIB, MIB, 30_000, 16, 2048, MIB,
        clamp(free / 2, 8, 512),
        clamp(free / 16, 2, 32),
        30_000,
        new ByteBudget(64L * MIB),
        clamp(free / 4, 4, 64));
  }

  HttpProxy.Bounds http() {
    return HttpProxy.Bounds.standard(maxHttpConnections, budget);
  }

  private static int clamp(long v, int min, int max) {
    return (int) Math.max(min, Math.min(max, v));
  }
}
