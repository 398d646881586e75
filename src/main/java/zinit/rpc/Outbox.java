package zinit.rpc;

import java.util.ArrayDeque;
import java.util.List;
import zinit.guard.ByteBudget;

/**
 * One connection's outgoing lines, written by its own writer thread so a client that reads slowly
 * only ever slows itself. Producers wait while more than {@code softLimit} bytes are queued, or
 * while anything is queued and all connections together exceed the shared budget; one reply may
 * overshoot, so memory stays below the budget plus one reply per producer.
 *
 * <p>Guarded by its own monitor rather than a ReentrantLock and its conditions: every reply passes
 * here twice (queued, then taken by the writer), and a fresh zinit runs both interpreted, where
 * the monitor costs no Java frames.
 */
final class Outbox {
  private final long softLimit;
  private final ByteBudget budget;
  // guarded by this
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private long queued;
  private boolean closed;

  Outbox(long softLimit, ByteBudget budget) {
    this.softLimit = softLimit;
    this.budget = budget;
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
