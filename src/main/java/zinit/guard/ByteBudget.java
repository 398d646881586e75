package zinit.guard;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes that all connections together may hold in request and reply buffers, so a crowd of
 * clients, each within its own limits, still cannot exhaust zinit's heap. Non-blocking: a taker
 * that gets nothing refuses its client (or, for replies, waits for its own client to read)
 * rather than waiting for others to finish.
 */
public final class ByteBudget {
  private final long capacity;
  private final AtomicLong used = new AtomicLong();

  public ByteBudget(long capacity) {
    if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    this.capacity = capacity;
  }

  /** Takes {@code n} bytes if that many are free. */
  public boolean tryTake(long n) {
    if (n < 0) throw new IllegalArgumentException("negative take: " + n);
    for (; ; ) {
      long u = used.get();
      if (u + n > capacity) return false;
      if (used.compareAndSet(u, u + n)) return true;
    }
  }

  /**
   * Takes {@code n} bytes even beyond the capacity: for bytes already in memory (a reply made),
   * so that {@link #exhausted} holds back further producers.
   */
  public void take(long n) {
    if (n < 0) throw new IllegalArgumentException("negative take: " + n);
    used.addAndGet(n);
  }

  public boolean exhausted() {
    return used.get() >= capacity;
  }

  /** Returns bytes taken earlier. */
  public void give(long n) {
    if (n < 0) throw new IllegalArgumentException("negative give: " + n);
    used.addAndGet(-n);
  }

  public long capacity() {
    return capacity;
  }

  public long used() {
    return used.get();
  }
}
