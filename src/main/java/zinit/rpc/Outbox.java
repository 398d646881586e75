package zinit.rpc;

import java.util.ArrayDeque;
import java.util.List;
import zinit.guard.ByteBudget;
import zinit.os.SocketSend;

/**
 * One connection's outgoing lines, written by its own writer thread so a client that reads slowly
 * only ever slows itself. Producers wait while more than {@code softLimit} bytes are queued, or
 * while anything is queued and all connections together exceed the shared budget; one reply may
 * overshoot, so memory stays below the budget plus one reply per producer.
 *
 * <p>Guarded by its own monitor rather than a ReentrantLock and its conditions: every reply passes
 * here twice (queued, then taken by the writer), and a fresh zinit runs both interpreted, where
 * the monitor costs no Java frames.
 *
 * <p>A reply that finds nothing queued and nothing being written is sent at once by the thread that
 * has it ({@link #addOrSend}), with a send that never waits; what the socket does not take then is
 * queued for the writer. The writer is then not woken for it: a stop's reply, sent by the thread
 * that saw the service gone, reaches the client one thread hand-off sooner.
 */
final class Outbox {
  private final long softLimit;
  private final ByteBudget budget;
  // guarded by this
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private long queued;
  private boolean closed;
  // the socket's fd for sends at once, -1 when none may be made (any more)
  private int fd;

  /** {@code fd}: the socket's, for sends at once ({@link SocketSend}), or -1. */
  Outbox(long softLimit, ByteBudget budget, int fd) {
    this.softLimit = softLimit;
    this.budget = budget;
    this.fd = fd;
  }

  /** What {@link #addOrSend} did with a line. */
  enum Sent {
    AT_ONCE,
    QUEUED,
    CLOSED
  }

  /**
   * Sends {@code line} at once when nothing is queued or being written (the writer holds what it
   * took until {@link #written}), and queues what the socket did not take; else queues it all.
   */
  synchronized Sent addOrSend(byte[] line) {
    if (closed) return Sent.CLOSED;
    if (queued == 0 && fd >= 0) {
      long n = SocketSend.now(fd, line);
      if (n == line.length) return Sent.AT_ONCE;
      // the socket is full or failed: the writer sends the rest, or meets the failure
      if (n > 0) line = java.util.Arrays.copyOfRange(line, (int) n, line.length);
    }
    add(line);
    return Sent.QUEUED;
  }

  /** No more sends at once: the socket is about to be closed (its fd could then be another file's). */
  synchronized void noSendsAtOnce() {
    fd = -1;
  }

  /**
   * Waits until the queue is below the soft limit. False when it stayed full for {@code
   * stallNanos} (the client is not reading) or the outbox was closed.
   */
  synchronized boolean awaitRoom(long stallNanos) throws InterruptedException {
    long deadline = System.nanoTime() + stallNanos;
    // Only this outbox's writer lowers `queued`, and it notifies: no wake-up from others needed.
    while (!closed && (queued >= softLimit || (queued > 0 && budget.exhausted()))) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return false;
      wait(Math.max(1, left / 1_000_000), 0);
    }
    return !closed;
  }

  /** Queues a chunk of whole lines; false when the outbox is closed. */
  synchronized boolean add(byte[] line) {
    if (closed) return false;
    queue.add(line);
    queued += line.length;
    budget.take(line.length);
    notifyAll(); // the writer, and producers only ever wait for what the writer does
    return true;
  }

  /**
   * Waits for queued output, then moves up to {@code max} queued chunks into {@code into}, so the
   * writer sends them with one system call. False once closed and drained.
   */
  synchronized boolean takeAll(List<byte[]> into, int max) throws InterruptedException {
    while (queue.isEmpty() && !closed) wait();
    if (queue.isEmpty()) return false;
    for (int i = 0; i < max && !queue.isEmpty(); i++) into.add(queue.poll());
    return true;
  }

  /** Called by the writer once {@code bytes} of what it took went out (or never will). */
  synchronized void written(long bytes) {
    queued -= bytes;
    budget.give(bytes);
    notifyAll();
  }

  /** Accepts nothing more; the writer still drains what is queued. */
  synchronized void close() {
    closed = true;
    notifyAll();
  }

  /** Closes and forgets what is queued (the connection is being dropped). */
  synchronized void discard() {
    closed = true;
    // chunks the writer took are given back by its written()
    long inQueue = 0;
    for (byte[] chunk : queue) inQueue += chunk.length;
    queue.clear();
    queued -= inQueue;
    budget.give(inQueue);
    notifyAll();
  }
}
