package zinit.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import zinit.logs.LineView;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import zinit.logs.LogRing;
import zinit.os.NativeBuffer;
import zinit.os.SocketSend;

/**
 * One client on the socket: a reader thread that frames and dispatches requests in order, a writer
 * thread that owns the socket's output, and one pump thread per log subscription. A reply that
 * comes later (a stop's) is queued by the thread that completes it, while the reader reads on.
 */
final class Connection implements Session {
  private static final SecureRandom IDS = new SecureRandom();
  // Lines a log pump takes per wake-up, and the chunk size at which it hands them to the writer.
  private static final int PUMP_BATCH = 512;
  private static final int CHUNK_BYTES = 32 * 1024;
  // Chunks the writer sends with one writev.
  private static final int WRITE_BATCH = 64;
  private static final int READ_BUFFER = 16 * 1024;
  private static final int WRITE_BUFFER = 16 * 1024;
  // Replies up to this size are made without asking the byte budget (their outbox still counts).
  private static final int SMALL_REPLY = 64 * 1024;

  private final SocketChannel channel;
  private final Dispatcher dispatcher;
  private final LogRing logs;
  private final Limits limits;
  private final Consumer<String> log;
  private final String peer;
  private final ScheduledExecutorService deadlines;
  private final Outbox outbox;
  private final Map<Long, LogRing.Subscription> subscriptions = new ConcurrentHashMap<>();
  // pumps of subscriptions made by the request being handled; started once its reply is queued
  // so that the subscription id always reaches the client before the first line (reader thread only)
  private final List<Runnable> afterReply = new ArrayList<>();
  // drops a client that started a request and stalls (reader thread only)
  private ScheduledFuture<?> unfinished;
  // the reply of a request answered later (a stop), queued by the thread that completes it; the
  // next request waits for it, so replies keep the requests' order (reader thread only)
  private CompletableFuture<Void> pending;
  private final AtomicBoolean dropped = new AtomicBoolean();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final ThreadReserve reserve;

  Connection(
      SocketChannel channel,
      Dispatcher dispatcher,
      LogRing logs,
      Limits limits,
      Consumer<String> log,
      String peer,
      ScheduledExecutorService deadlines,
      ThreadReserve reserve) {
    this.channel = channel;
    this.reserve = reserve;
    this.dispatcher = dispatcher;
    this.logs = logs;
    this.limits = limits;
    this.log = log;
    this.peer = peer;
    this.deadlines = deadlines;
    this.outbox = new Outbox(limits.outboxBytes(), limits.budget(), SocketSend.fd(channel));
  }

  /**
   * Reader and writer are platform threads: a blocking read or a condition wait then ends with one
   * wake-up by the kernel, where a virtual thread is woken through a poller thread and a carrier,
   * ~0.1-0.2 ms of a stop's reply here (bench/RESULTS.md). When the system has no thread to give
   * (a process limit reached), they are the server's reserved threads, else virtual threads (which
   * run only while the JDK has a carrier thread left).
   */
  void start() {
    start("zinit-rpc-write", this::writeLoop);
    start("zinit-rpc-read", this::readLoop);
  }

  private void start(String name, Runnable task) {
    try {
      Thread.ofPlatform().daemon().name(name).start(task);
    } catch (OutOfMemoryError noThread) {
      if (reserve == null || !reserve.run(task)) Thread.ofVirtual().name(name).start(task);
    }
  }

  /** Completes when the socket is closed. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** Reads no further requests; replies already due are still written, then the socket closes. */
  void finish() {
    try {
      channel.shutdownInput();
    } catch (IOException e) {
      drop("cannot shut down input: " + e.getMessage());
    }
  }

  /** Closes at once, discarding queued output. */
  void drop(String reason) {
    if (!dropped.compareAndSet(false, true)) return;
    if (reason != null) log.accept("rpc: dropping connection of " + peer + ": " + reason);
    outbox.discard();
    endSubscriptions();
    closeChannel();
  }

  private void readLoop() {
    Framer framer = new Framer(limits.maxRequest(), limits.budget());
    ByteBuffer buf = ByteBuffer.allocate(READ_BUFFER);
    // The socket is read into native memory of this connection's own, then copied to the heap in
    // one call: a heap buffer would go through the JDK's cache of temporary direct buffers on every
    // read, about a third of this thread's work per request while it runs interpreted (a fresh
    // zinit's first stops; bench/RESULTS.md, 2026-12-01).
    try (NativeBuffer direct = new NativeBuffer(READ_BUFFER)) {
      ByteBuffer in = direct.buffer();
      while (!dropped.get()) {
        in.clear();
        if (channel.read(in) < 0) break;
        in.flip();
        buf.clear();
        buf.put(in);
        buf.flip();
        framer.feed(buf, this::onText);
        if (framer.pending() && unfinished == null) unfinished = dropLater();
        else if (!framer.pending()) cancelUnfinished();
      }
      byte[] rest = framer.rest();
      if (rest != null) onText(rest);
    } catch (Framer.TooLarge e) {
      refuseRequest(e.getMessage() + "; closing the connection");
    } catch (Framer.Busy e) {
      refuseRequest(e.getMessage());
    } catch (IOException e) {
      // the client went away, or drop() closed the socket
    } finally {
      cancelUnfinished();
      framer.release();
      endSubscriptions();
      awaitPending(); // a client may close its side right after its request
      outbox.close();
    }
  }

  private void awaitPending() {
    if (pending == null) return;
    pending.join(); // never fails: the dispatcher turns every failure into a reply
    pending = null;
  }

  private void cancelUnfinished() {
    if (unfinished != null) unfinished.cancel(false);
    unfinished = null;
  }

  private ScheduledFuture<?> dropLater() {
    try {
      return deadlines.schedule(
          () -> drop("it did not finish its request within " + limits.requestMillis() / 1000 + " s"),
          limits.requestMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      drop(null);
      return null;
    }
  }

  private void refuseRequest(String why) {
    send(Dispatcher.error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST, why)));
  }

  private void onText(byte[] text) {
    // a request came in whole: the time the next one takes counts from the end of this one
    cancelUnfinished();
    awaitPending();
    if (dropped.get()) return;
    try {
      if (!outbox.awaitRoom(TimeUnit.MILLISECONDS.toNanos(limits.stallMillis()))) {
        drop("it does not read its replies");
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drop(null);
      return;
    }
    CompletableFuture<JsonNode> later = dispatcher.handleLater(text, this);
    if (!later.isDone()) {
      // Sent by the thread that ends the call (or queued for the writer, which it wakes): this
      // reader is not woken in between. Such calls subscribe to nothing (afterReply stays empty).
      pending = later.thenAccept(reply -> {
        if (reply == null) return;
        // This thread (the loop or the reaper, as a rule) has its own work after the reply; a
        // writer it woke shares its CPU when the other is busy, and should send first.
        if (send(reply) == Outbox.Sent.QUEUED) Thread.yield();
      });
      return;
    }
    JsonNode reply = later.join();
    if (reply != null) send(reply);
    afterReply.forEach(Runnable::run);
    afterReply.clear();
  }

  /**
   * Sends a reply at once, or queues it (see {@link Outbox#addOrSend}). One larger than the reply
   * limit, or a large one while all connections' buffers are full, is replaced by an error saying so.
   */
  private Outbox.Sent send(JsonNode reply) {
    byte[] line = Dispatcher.encode(reply, limits.maxReply());
    if (line.length > SMALL_REPLY && limits.budget().used() + line.length > limits.budget().capacity()) {
      line = Dispatcher.encode(Dispatcher.error(
          Dispatcher.replyId(reply),
          new RpcError(RpcError.INTERNAL_ERROR, "zinit is busy: replies to other clients fill its buffer budget; retry later")));
    }
    return outbox.addOrSend(line);
  }

  private void writeLoop() {
    List<byte[]> chunks = new ArrayList<>(WRITE_BATCH);
    ByteBuffer[] buffers = new ByteBuffer[WRITE_BATCH];
    // What fits (every reply but large ones) is copied into native memory of this connection's own
    // and written from there, as the reader reads: heap buffers would go through the JDK's cache
    // of temporary direct buffers on every write.
    try (NativeBuffer direct = new NativeBuffer(WRITE_BUFFER)) {
      ByteBuffer out = direct.buffer();
      while (outbox.takeAll(chunks, WRITE_BATCH)) {
        int n = chunks.size();
        long bytes = 0;
        for (int i = 0; i < n; i++) bytes += chunks.get(i).length;
        try {
          if (bytes <= out.capacity()) {
            out.clear();
            for (int i = 0; i < n; i++) out.put(chunks.get(i));
            out.flip();
            while (out.hasRemaining()) channel.write(out);
          } else {
            for (int i = 0; i < n; i++) buffers[i] = ByteBuffer.wrap(chunks.get(i));
            for (long left = bytes; left > 0; ) left -= channel.write(buffers, 0, n);
            Arrays.fill(buffers, 0, n, null);
          }
        } finally {
          outbox.written(bytes);
        }
        chunks.clear();
      }
    } catch (IOException e) {
      drop(null);
    } catch (InterruptedException e) {
      drop(null);
    } finally {
      closeChannel();
      endSubscriptions();
      done.complete(null);
    }
  }

  @Override
  public JsonNode subscribeLogs(String filterOrNull, boolean history, LineView view) throws RpcError {
    if (subscriptions.size() >= limits.maxSubscriptions())
      throw new RpcError(
          RpcError.INVALID_REQUEST,
          "subscribing to logs: at most " + limits.maxSubscriptions() + " subscriptions per connection");
    long id = IDS.nextLong() & ((1L << 53) - 1); // exact in JavaScript numbers too
    LogRing.Subscription sub = logs.subscribe(filterOrNull, limits.subscriberQueue(), history, view);
    subscriptions.put(id, sub);
    afterReply.add(() -> Thread.ofVirtual().name("zinit-rpc-logs").start(() -> pump(id, sub)));
    return LongNode.valueOf(id);
  }

  @Override
  public boolean unsubscribe(JsonNode id) {
    long key;
    if (id.isIntegralNumber() && id.canConvertToLong()) key = id.longValue();
    else if (id.isTextual()) {
      try {
        key = Long.parseLong(id.textValue());
      } catch (NumberFormatException e) {
        return false;
      }
    } else return false;
    LogRing.Subscription sub = subscriptions.remove(key);
    if (sub == null) return false;
    sub.close();
    return true;
  }

  /**
   * Forwards a subscription's lines: each wake-up takes every queued line (up to a batch) and hands
   * them to the writer as one chunk, so a busy log costs a wake-up and a write per batch, not per
   * line.
   */
  private void pump(long id, LogRing.Subscription sub) {
    LogNotes notes = new LogNotes(id);
    List<String> batch = new ArrayList<>(PUMP_BATCH);
    long skipped = 0;
    try {
      while (sub.takeBatch(batch, PUMP_BATCH)) {
        long dropped = sub.dropped();
        if (dropped > skipped) {
          notes.add(skippedNotice(dropped - skipped));
          skipped = dropped;
        }
        for (String line : batch) {
          notes.add(line);
          if (notes.size() >= CHUNK_BYTES && !push(notes)) return;
        }
        batch.clear();
        if (notes.size() > 0 && !push(notes)) return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sub.close();
    }
  }

  private static String skippedNotice(long n) {
    return "[-] zinit: " + n + " log lines skipped: this client reads too slowly";
  }

  private boolean push(LogNotes notes) throws InterruptedException {
    if (!outbox.awaitRoom(TimeUnit.MILLISECONDS.toNanos(limits.stallMillis()))) {
      drop("it does not read its log stream");
      return false;
    }
    return outbox.add(notes.take());
  }

  private void endSubscriptions() {
    for (Long id : List.copyOf(subscriptions.keySet())) {
      LogRing.Subscription sub = subscriptions.remove(id);
      if (sub != null) sub.close();
    }
  }

  private void closeChannel() {
    outbox.noSendsAtOnce();
    try {
      channel.close();
    } catch (IOException e) {
      log.accept("rpc: closing connection of " + peer + ": " + e.getMessage());
    }
  }
}
