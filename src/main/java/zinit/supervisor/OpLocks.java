package zinit.supervisor;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Per-service operation locks, striped so that any number of names (also ones never monitored)
 * costs a fixed 64 locks. Two services on one stripe only wait for each other; {@link #holdAll}
 * takes every stripe in index order, so it cannot deadlock with single holders.
 */
final class OpLocks {
  private static final int STRIPES = 64;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  OpLocks() {
    for (int i = 0; i < STRIPES; i++) stripes[i] = new ReentrantLock(true);
  }

  OpLock hold(String name) {
    ReentrantLock l = stripes[Math.floorMod(name.hashCode(), STRIPES)];
    l.lock();
    return l::unlock;
  }

  OpLock holdAll() {
    for (ReentrantLock l : stripes) l.lock();
    return () -> {
      for (int i = STRIPES - 1; i >= 0; i--) stripes[i].unlock();
    };
  }
}
