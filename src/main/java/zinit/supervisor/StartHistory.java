package zinit.supervisor;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import zinit.config.RestartPolicy;

/**
 * The recent starts of one service, against its {@code start_limit}: more than {@code burst}
 * starts within {@code interval} and the next is refused. Loop-confined; `zinit start` resets it.
 */
final class StartHistory {
  private final Deque<Instant> starts = new ArrayDeque<>();

  /** Records a start at {@code now}; false (recording nothing) when it would exceed the limit. */
  boolean admit(RestartPolicy.StartLimit limit, Instant now) {
    if (limit == null) return true;
    Instant horizon = now.minus(limit.interval());
    while (!starts.isEmpty() && !starts.peekFirst().isAfter(horizon)) starts.removeFirst();
    if (starts.size() >= limit.burst()) return false;
    starts.addLast(now);
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
