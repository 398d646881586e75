package zinit.logs;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** One subscriber's bounded queue: full means the oldest line goes, never that the producer waits. */
final class Queue implements LogRing.Subscription {
  private final LogRing ring;
  private final String filter;
  private final LineView view;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition nonEmpty = lock.newCondition();
  // all guarded by lock
  private final ArrayDeque<String> lines;
  private int limit;
  private final int steadyLimit;
  private long dropped;
  private boolean closed;

  Queue(LogRing ring, String filter, int maxQueued, List<String> history, LineView view) {
    this.ring = ring;
    this.filter = filter;
    this.view = view;
    this.steadyLimit = maxQueued;
    this.limit = maxQueued + history.size();
    this.lines = new ArrayDeque<>(Math.min(limit, 1024));
    this.lines.addAll(history);
  }

  boolean matches(String line) {
    return LogRing.matches(line, filter);
  }

  /** Called by the ring under its lock; holds this queue's lock only for a few instructions. */
  void offer(String stored, long epochMillis) {
    String line = view.apply(epochMillis, stored);
    lock.lock();
    try {
      if (closed) return;
      while (lines.size() >= limit) {
        lines.pollFirst();
        dropped++;
      }
      lines.addLast(line);
      nonEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String take() throws InterruptedException {
    lock.lock();
    try {
      while (lines.isEmpty() && !closed) nonEmpty.await();
      return next();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean takeBatch(List<String> into, int max) throws InterruptedException {
    if (max < 1) throw new IllegalArgumentException("max must be >= 1, got " + max);
    lock.lock();
    try {
      while (lines.isEmpty() && !closed) nonEmpty.await();
      if (closed) return false;
      for (int i = 0; i < max && !lines.isEmpty(); i++) into.add(lines.pollFirst());
      if (limit > steadyLimit) limit = Math.max(steadyLimit, lines.size());
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    try {
      while (lines.isEmpty() && !closed) {
        if (nanos <= 0) return null;
        nanos = nonEmpty.awaitNanos(nanos);
      }
      return next();
    } finally {
      lock.unlock();
    }
  }

  // guarded by lock
  private String next() {
    if (closed) return null;
    String line = lines.pollFirst();
    // the history allowance shrinks as it is consumed, so the steady-state bound is maxQueued
    if (limit > steadyLimit) limit = Math.max(steadyLimit, lines.size());
    return line;
  }

  @Override
  public long dropped() {
    lock.lock();
    try {
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) return;
      closed = true;
      lines.clear();
      nonEmpty.signalAll();
    } finally {
      lock.unlock();
    }
    ring.unsubscribe(this);
  }
}
