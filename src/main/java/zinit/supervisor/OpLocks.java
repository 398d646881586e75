package zinit.supervisor;

import java.util.concurrent.Semaphore;

/**
 * Per-service operation locks, striped so that any number of names (also ones never monitored)
 * costs a fixed 64 locks. Two services on one stripe only wait for each other; {@link #holdAll}
 * takes every stripe in index order, so it cannot deadlock with single holders. A stripe is a
 * permit, not a lock owned by a thread: a stop is released by the thread that completes it. Not
 * reentrant; no holder takes a second stripe.
 */
final class OpLocks {
  private static final int STRIPES = 64;
  private final Semaphore[] stripes = new Semaphore[STRIPES];

  OpLocks() {
    for (int i = 0; i < STRIPES; i++) stripes[i] = new Semaphore(1, true);
  }

  OpLock hold(String name) {
    Semaphore l = stripes[Math.floorMod(name.hashCode(), STRIPES)];
    l.acquireUninterruptibly();
    return l::release;
  }

  OpLock holdAll() {
    for (Semaphore l : stripes) l.acquireUninterruptibly();
    return () -> {
      for (int i = STRIPES - 1; i >= 0; i--) stripes[i].release();
    };
  }
}
