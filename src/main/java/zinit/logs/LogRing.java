package zinit.logs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The log buffer shared by all services: the last {@code capacity} lines, plus live subscribers.
 *
 * <p>Lines look like {@code "[+] name: text"} (stdout) or {@code "[-] name: text"} (stderr). Memory
 * is bounded: at most {@code capacity} lines of at most {@link #MAX_LINE} chars (lines kept as
 * bytes sit in chunks of {@link #CHUNK} bytes or more, which hold at most about twice the bytes of
 * the ring's lines, plus the oldest chunk's lines already gone), and per subscriber at most its own
 * {@code maxQueued} lines. A slow subscriber loses its oldest queued lines (counted
 * in {@link Subscription#dropped()}); it never slows {@link #append} down.
 *
 * <p>Thread-safe. Appending and subscribing hold one short lock, so a subscriber that asks for the
 * history sees every line exactly once: either in the history or in its queue.
 */
public final class LogRing {
  /** Longest line kept, in chars; producers cut lines earlier, this is a last defence. */
  public static final int MAX_LINE = 8192;

  /** Service name under which zinit logs its own messages. */
  public static final String ZINIT = "zinit";

  // A monitor, not a ReentrantLock: the I/O thread takes it once per pipe read, and a fresh daemon's
  // first burst of output then had C1 compile eight AbstractQueuedSynchronizer methods (the lock is
  // rarely contended: snapshots and subscriptions).
  private final Object lock = new Object();
  // guarded by lock: each slot's line, or for a line kept as bytes (see appendLines) its prefix,
  // the text being bytes[i][offsets[i] .. offsets[i]+lengths[i]), decoded when read
  private final String[] lines;
  private final byte[][] bytes;
  private final int[] offsets;
  private final int[] lengths;
  // guarded by lock: when each line came, in epoch millis
  private final long[] times;
  private final LongSupplier clock;
  // guarded by lock: index of the next slot to write, and how many slots are filled
  private int next;
  private int size;
  // guarded by lock
  private final List<Queue> subscribers = new ArrayList<>();
  // guarded by lock: the arrays appendLines copies lines into, a queue from the oldest (linked
  // by next) to the newest, the one being filled (a list of its own rather than an ArrayDeque: the
  // deque's methods were C1 compiles more during a fresh daemon's first burst); and the lines ever
  // added (line number q is in the ring while q >= added - capacity)
  private Chunk oldest;
  private Chunk newest;
  private long added;

  /** How much a chunk's array holds at least: a whole pipe read. */
  static final int CHUNK = 64 * 1024;

  /** An array of lines' bytes, filled up to {@code used}; its last line is line number {@code last}. */
  private static final class Chunk {
    final byte[] data;
    int used;
    long last;
    Chunk next; // the one filled after it

    Chunk(int size) {
      data = new byte[size];
    }
  }

  public LogRing(int capacity) {
    this(capacity, System::currentTimeMillis);
  }

  /** {@code clock}: epoch millis, the time each line is kept with. */
  public LogRing(int capacity, LongSupplier clock) {
    if (capacity < 1) throw new IllegalArgumentException("log buffer capacity must be >= 1, got " + capacity);
    this.lines = new String[capacity];
    this.bytes = new byte[capacity][];
    this.offsets = new int[capacity];
    this.lengths = new int[capacity];
    this.times = new long[capacity];
    this.clock = clock;
  }

  public int capacity() {
    return lines.length;
  }

  /** The line as the ring stores it: {@code "[+] name: text"}, or {@code "[-] ..."} for stderr. */
  public static String format(String service, boolean stderr, String text) {
    return (stderr ? "[-] " : "[+] ") + service + ": " + text;
  }

  /** Adds one line of a service's output. Quick and non-blocking: called on the I/O thread. */
  public void append(String service, boolean stderr, String text) {
    appendLine(format(service, stderr, text));
  }

  /** Adds an already formatted line, e.g. {@code format(ZINIT, false, "...")}. */
  public void appendLine(String formattedLine) {
    String line = cut(formattedLine);
    long now = clock.getAsLong();
    synchronized (lock) {
      lines[next] = line;
      bytes[next] = null;
      times[next] = now;
      next = (next + 1) % lines.length;
      added++;
      if (size < lines.length) size++;
      offer(line, now);
    }
  }

  /**
   * Adds the lines of {@code batch}, each as {@code prefix} (e.g. {@code "[+] web: "}) and the
   * line, under one lock. Their bytes are kept as one copy and decoded only when read, so a
   * flat-out service costs the ring a copy of its bytes rather than a String per line; the copy
   * is of these lines only, so the ring's lines keep bounding what it holds.
   */
  public void appendLines(String prefix, LineBatch batch) {
    int n = batch.count();
    if (n == 0) return;
    int from = batch.start(0);
    int length = batch.end(n - 1) - from;
    long now = clock.getAsLong();
    int capacity = lines.length;
    synchronized (lock) {
      Chunk chunk = room(length);
      byte[] copy = chunk.data;
      int shift = chunk.used - from;
      System.arraycopy(batch.data(), from, copy, chunk.used, length);
      chunk.used += length;
      int at = next;
      for (int i = 0; i < n; i++) {
        int start = batch.start(i);
        lines[at] = prefix;
        bytes[at] = copy;
        offsets[at] = start + shift;
        lengths[at] = batch.end(i) - start;
        times[at] = now;
        at = at + 1 == capacity ? 0 : at + 1;
      }
      next = at;
      if (!subscribers.isEmpty()) offerAll(prefix, batch, copy, shift, now);
      size = Math.min(capacity, size + n);
      added += n;
      chunk.last = added - 1;
    }
  }

  /**
   * The chunk to copy {@code length} more bytes into: the one being filled while they fit, else the
   * oldest once none of its lines is left in the ring (emptied and filled again), else a new one.
   * A flat-out service thus reuses a few arrays instead of making one per read (~50 MB of garbage
   * and 16 young collections per 500 000 lines). Chunks leave the ring in the order they were
   * filled, so only the oldest is looked at; one that is free but too small is dropped.
   */
  // guarded by lock
  private Chunk room(int length) {
    Chunk current = newest;
    if (current != null && current.data.length - current.used >= length) return current;
    if (current != null && current.last < added - lines.length && current.data.length >= length) {
      current.used = 0; // none of its lines is left: filled again from the start
      return current;
    }
    Chunk reused = null;
    for (Chunk first; reused == null && (first = oldest) != null && first != current
        && first.last < added - lines.length; ) {
      oldest = first.next;
      first.next = null;
      if (first.data.length >= length) reused = first;
    }
    if (reused == null) {
      reused = new Chunk(Math.max(CHUNK, length));
    } else {
      reused.used = 0;
    }
    if (current == null) {
      oldest = reused;
    } else {
      current.next = reused;
    }
    newest = reused;
    return reused;
  }

  // guarded by lock: the lines of {@code batch}, as just kept in {@code copy}, to the subscribers
  // in order (from the copy, not the slots: a batch longer than the ring wrote over its first
  // lines' slots). Apart from appendLines' loop, which C1 compiles sooner without it (a fresh
  // daemon's first burst waits for that).
  private void offerAll(String prefix, LineBatch batch, byte[] copy, int shift, long now) {
    for (int i = 0; i < batch.count(); i++) {
      int start = batch.start(i);
      offer(cut(prefix.concat(new String(copy, start + shift, batch.end(i) - start, StandardCharsets.UTF_8))), now);
    }
  }

  // guarded by lock
  private void offer(String line, long now) {
    for (Queue q : subscribers) if (q.matches(line)) q.offer(line, now);
  }

  // guarded by lock
  private String lineAt(int at) {
    byte[] b = bytes[at];
    if (b == null) return lines[at];
    return cut(lines[at].concat(new String(b, offsets[at], lengths[at], StandardCharsets.UTF_8)));
  }

  /** Current lines, oldest first; {@code serviceOrNull} keeps only that exact service's lines. */
  public List<String> snapshot(String serviceOrNull) {
    return snapshot(serviceOrNull, LineView.PLAIN);
  }

  /** As {@link #snapshot(String)}, each line in {@code view}'s form. */
  public List<String> snapshot(String serviceOrNull, LineView view) {
    synchronized (lock) {
      return snapshotLocked(serviceOrNull, view);
    }
  }

  /** Follows new lines from now on; see {@link #subscribe(String, int, boolean)}. */
  public Subscription subscribe(String serviceOrNull, int maxQueued) {
    return subscribe(serviceOrNull, maxQueued, false);
  }

  /**
   * Follows new lines. With {@code withHistory}, the subscription first yields the current
   * (filtered) snapshot, taken atomically with the registration so nothing is lost or repeated in
   * between; the history does not count against {@code maxQueued}.
   */
  public Subscription subscribe(String serviceOrNull, int maxQueued, boolean withHistory) {
    return subscribe(serviceOrNull, maxQueued, withHistory, LineView.PLAIN);
  }

  /** As {@link #subscribe(String, int, boolean)}, each line in {@code view}'s form. */
  public Subscription subscribe(String serviceOrNull, int maxQueued, boolean withHistory, LineView view) {
    if (maxQueued < 1) throw new IllegalArgumentException("maxQueued must be >= 1, got " + maxQueued);
    synchronized (lock) {
      List<String> history = withHistory ? snapshotLocked(serviceOrNull, view) : List.of();
      Queue q = new Queue(this, serviceOrNull, maxQueued, history, view);
      subscribers.add(q);
      return q;
    }
  }

  /** A live follower of the ring. Closing it is required and idempotent. */
  public interface Subscription extends AutoCloseable {
    /** The next line, waiting for one; null once the subscription is closed (queued lines are discarded). */
    String take() throws InterruptedException;

    /**
     * Waits for a line, then moves it and up to {@code max - 1} more queued lines into {@code
     * into}, oldest first: a follower that fell behind catches up with one wake-up per batch
     * instead of one per line. False, adding nothing, once the subscription is closed.
     */
    boolean takeBatch(List<String> into, int max) throws InterruptedException;

    /** The next line, or null after the timeout or once the subscription is closed. */
    String poll(long timeout, TimeUnit unit) throws InterruptedException;

    /** How many lines were dropped so far because this subscriber fell behind. */
    long dropped();

    /** Unregisters; a thread blocked in take/poll returns null. */
    @Override
    void close();
  }

  void unsubscribe(Queue q) {
    synchronized (lock) {
      subscribers.remove(q);
    }
  }

  static boolean matches(String line, String serviceOrNull) {
    if (serviceOrNull == null) return true;
    // "[+] " is 4 chars; the name must be followed directly by ':' so "red" never matches "redis"
    int n = serviceOrNull.length();
    return line.length() > 4 + n
        && line.startsWith(serviceOrNull, 4)
        && line.charAt(4 + n) == ':';
  }

  private List<String> snapshotLocked(String serviceOrNull, LineView view) {
    List<String> out = new ArrayList<>(size);
    int start = (next - size + lines.length) % lines.length;
    for (int i = 0; i < size; i++) {
      int at = (start + i) % lines.length;
      // a kept prefix matches as its line would
      if (matches(lines[at], serviceOrNull)) out.add(view.apply(times[at], lineAt(at)));
    }
    return out;
  }

  private static String cut(String line) {
    if (line.length() <= MAX_LINE) return line;
    int end = MAX_LINE;
    if (Character.isHighSurrogate(line.charAt(end - 1))) end--;
    return line.substring(0, end);
  }
}
