package zinit.supervisor;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The legal moves of a service's observed state, in one place. A move not listed is a bug in the
 * lifecycle, reported as IllegalStateException rather than shown to users as a wrong state.
 * Staying in a state (with a new detail) is always legal.
 */
final class Transitions {
  private static final Map<State, Set<State>> LEGAL = new EnumMap<>(State.class);

  static {
    // Unknown: not started yet, or stopped before it ran; a spawn (or its failure) moves it on.
    LEGAL.put(State.Unknown, EnumSet.of(State.Blocked, State.Spawned, State.Running, State.Failure));
    // Blocked has no process: it only goes back to Unknown (spawn, stop) or to Failure (start limit).
    LEGAL.put(State.Blocked, EnumSet.of(State.Unknown, State.Failure));
    // Spawned: main alive, test not passed yet.
    LEGAL.put(State.Spawned, EnumSet.of(State.Running, State.Success, State.Error, State.TestFailure));
    LEGAL.put(State.Running, EnumSet.of(State.Success, State.Error));
    // A test that cannot be spawned leaves the main process running until it exits.
    LEGAL.put(State.TestFailure, EnumSet.of(State.Success, State.Error, State.Unknown, State.Blocked));
    // After an end: started again by hand (Unknown), by a restart (straight to a new run),
    // held by a dependency, or failed to spawn / hit the start limit.
    Set<State> afterEnd =
        EnumSet.of(State.Unknown, State.Blocked, State.Spawned, State.Running, State.Failure);
    LEGAL.put(State.Success, afterEnd);
    LEGAL.put(State.Error, afterEnd);
    LEGAL.put(State.Failure, afterEnd);
  }

  private Transitions() {}

  static boolean legal(State from, State to) {
    return from == to || LEGAL.get(from).contains(to);
  }

  static void check(String service, State from, State to) {
    if (!legal(from, to)) {
      throw new IllegalStateException(service + ": illegal state change " + from + " -> " + to);
    }
  }
}
