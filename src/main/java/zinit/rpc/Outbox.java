package zinit.rpc;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import zinit.guard.ByteBudget;

/**
 * One connection's outgoing lines, written by its own writer thread so a client that reads slowly
 * only ever slows itself. Producers wait while more than {@code softLimit} bytes are queued, or
 * while anything is queued and all connections together exceed the shared budget; one reply may
 * overshoot, so memory stays below the budget plus one reply per producer.
 */
final class Outbox {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final Condition writable = lock.newCondition();
  private final long softLimit;
  private final ByteBudget budget;
  // guarded by lock
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
  boolean awaitRoom(long stallNanos) throws InterruptedException {
    lock.lock();
    try {
      long left = stallNanos;
      // Only this outbox's writer lowers `queued`, and it signals: no wake-up from others needed.
      while (!closed && (queued >= softLimit || (queued > 0 && budget.exhausted()))) {
        if (left <= 0) return false;
        left = writable.awaitNanos(left);
      }
      return !closed;
    } finally {
      lock.unlock();
    }
  }

  /** Queues a chunk of whole lines; false when the outbox is closed. */
  boolean add(byte[] line) {
    lock.lock();
    try {
      if (closed) return false;
      queue.add(line);
      queued += line.length;
      budget.take(line.length);
      readable.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for queued output, then moves up to {@code max} queued chunks into {@code into}, so the
   * writer sends them with one system call. False once closed and drained.
   */
  boolean takeAll(List<byte[]> into, int max) throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() && !closed) readable.await();
      if (queue.isEmpty()) return false;
      for (int i = 0; i < max && !queue.isEmpty(); i++) into.add(queue.poll());
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Called by the writer once {@code bytes} of what it took went out (or never will). */
  void written(long bytes) {
    lock.lock();
    try {
      queued -= bytes;
      budget.give(bytes);
      writable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Accepts nothing more; the writer still drains what is queued. */
  void close() {
    lock.lock();
    try {
      closed = true;
      readable.signalAll();
      writable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Closes and forgets what is queued (the connection is being dropped). */
  void discard() {
    lock.lock();
    try {
      closed = true;
      // chunks the writer took are given back by its written()
      long inQueue = 0;
      for (byte[] chunk : queue) inQueue += chunk.length;
      queue.clear();
      queued -= inQueue;
      budget.give(inQueue);
      readable.signalAll();
      writable.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
