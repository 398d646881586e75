package zinit.supervisor;

import java.util.ArrayDeque;
import java.util.Deque;
import zinit.config.RestartPolicy;

/**
 * The recent starts of one service, against its {@code start_limit}: more than {@code burst}
 * starts within {@code interval} and the next is refused. Loop-confined; `zinit start` resets it.
 */
final class StartHistory {
  /** On a monotonic clock: a wall clock set back kept old starts in the window for as long. */
  private final Deque<Long> starts = new ArrayDeque<>();

  /**
   * Records a start at {@code nowNanos} (the loop's monotonic clock); false (recording nothing)
   * when it would exceed the limit.
   */
  boolean admit(RestartPolicy.StartLimit limit, long nowNanos) {
    if (limit == null) return true;
    long window = limit.interval().toNanos();
    while (!starts.isEmpty() && nowNanos - starts.peekFirst() >= window) starts.removeFirst();
    if (starts.size() >= limit.burst()) return false;
    starts.addLast(nowNanos);
    return true;
  }

  void reset() {
    starts.clear();
  }

  /** Why a start was refused, for status and the log. */
  static String refusal(RestartPolicy.StartLimit limit) {
    return "start limit reached, more than "
        + limit.burst()
        + " starts within "
        + limit.interval().toSeconds()
        + " s (zinit start resets it)";
  }
}
