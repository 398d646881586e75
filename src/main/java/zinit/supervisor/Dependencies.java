package zinit.supervisor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Questions about the `after` graph of the monitored services. Pure functions. */
final class Dependencies {
  private Dependencies() {}

  /** A dependency is met when it is monitored and Running (service) or Success (oneshot). */
  static boolean met(Service dependency) {
    if (dependency == null) return false;
    return dependency.config.oneshot()
        ? dependency.state == State.Success
        : dependency.state == State.Running;
  }

  /** The first unmet dependency of {@code s}, if any. */
  static Optional<String> firstUnmet(Service s, Map<String, Service> services) {
    for (String dep : s.config.after()) {
      if (!met(services.get(dep))) return Optional.of(dep);
    }
    return Optional.empty();
  }

  /**
   * A cycle through {@code start} as "a -> b -> a", if the after-edges form one. Depth first with a
   * stack of its own: a chain of thousands of services overflowed the loop thread's stack.
   */
  static Optional<String> cycleThrough(String start, Map<String, Service> services) {
    Service first = services.get(start);
    if (first == null) return Optional.empty();
    Set<String> seen = new HashSet<>();
    seen.add(start);
    List<String> path = new ArrayList<>(List.of(start));
    List<Iterator<String>> next = new ArrayList<>(List.of(first.config.after().iterator()));
    while (!next.isEmpty()) {
      Iterator<String> deps = next.getLast();
      if (!deps.hasNext()) {
        next.removeLast();
        path.removeLast();
        continue;
      }
      String dep = deps.next();
      if (dep.equals(start)) return Optional.of(shown(path) + " -> " + start);
      Service s = services.get(dep);
      if (s == null || !seen.add(dep)) continue;
      path.add(dep);
      next.add(s.config.after().iterator());
    }
    return Optional.empty();
  }

  /**
   * The services of a cycle's path, those in the middle left out when there are many: each blocked
   * service of a long cycle shows it, and 6000 full paths of 6000 names filled zinit's heap.
   */
  private static String shown(List<String> path) {
    if (path.size() <= SHOWN) return String.join(" -> ", path);
    int head = SHOWN / 2;
    int tail = SHOWN - head;
    return String.join(" -> ", path.subList(0, head)) + " -> ... (" + (path.size() - SHOWN) + " more) -> "
        + String.join(" -> ", path.subList(path.size() - tail, path.size()));
  }

  /** Services of a cycle named in full at most. */
  static final int SHOWN = 16;
}
