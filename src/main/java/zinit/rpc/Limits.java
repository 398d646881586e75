package zinit.rpc;

/**
 * Resource bounds of the socket server.
 *
 * @param maxRequest largest JSON text accepted, in bytes; a bigger one closes the connection
 * @param outboxBytes queued reply bytes above which a connection stops reading requests and its
 *     log pumps wait
 * @param stallMillis how long a connection may stay above outboxBytes before it is dropped as a
 *     client that does not read
 * @param maxSubscriptions log subscriptions per connection
 * @param subscriberQueue log lines queued per subscription before the oldest are skipped
 */
record Limits(int maxRequest, long outboxBytes, long stallMillis, int maxSubscriptions, int subscriberQueue) {
  static final Limits DEFAULT = new Limits(1 << 20, 1 << 20, 30_000, 16, 2048);
}
