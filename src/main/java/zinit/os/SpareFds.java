package zinit.os;

import java.util.ArrayDeque;
import zinit.guard.FdReserve;

/** The {@link FdReserve} as fds open on /dev/null. */
public final class SpareFds implements FdReserve {
  private final int size;
  // guarded by this
  private final ArrayDeque<Integer> held = new ArrayDeque<>();

  private SpareFds(int size) {
    this.size = size;
  }

  /** Opens {@code size} spare fds now (fewer if fds are short already). */
  public static SpareFds hold(int size) {
    SpareFds s = new SpareFds(size);
    s.replenish();
    return s;
  }

  @Override
  public synchronized boolean release() {
    Integer fd = held.poll();
    if (fd == null) return false;
    Fds.close(fd);
    return true;
  }

  @Override
  public synchronized void replenish() {
    while (held.size() < size) {
      try {
        held.push(Fds.open("/dev/null", Flags.O_RDONLY));
      } catch (OsException e) {
        return; // still short: the next connection's end tries again
      }
    }
  }

  @Override
  public synchronized boolean refill() {
    replenish();
    return held.size() == size;
  }

  public synchronized int held() {
    return held.size();
  }
}
