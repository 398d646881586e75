package zinit.supervisor;

import java.util.ArrayList;
import java.util.HashSet;
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

  /** A cycle through {@code start} as "a -> b -> a", if the after-edges form one. */
  static Optional<String> cycleThrough(String start, Map<String, Service> services) {
    List<String> path = new ArrayList<>();
    path.add(start);
    return search(start, start, services, path, new HashSet<>());
  }

  private static Optional<String> search(
      String start, String at, Map<String, Service> services, List<String> path, Set<String> seen) {
    Service s = services.get(at);
    if (s == null || !seen.add(at)) return Optional.empty();
    for (String dep : s.config.after()) {
      if (dep.equals(start)) {
        return Optional.of(String.join(" -> ", path) + " -> " + start);
      }
      path.add(dep);
      Optional<String> found = search(start, dep, services, path, seen);
      if (found.isPresent()) return found;
      path.removeLast();
    }
    return Optional.empty();
  }
}
