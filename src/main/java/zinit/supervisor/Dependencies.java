package zinit.supervisor;

import java.util.ArrayList;
import java.util.HashMap;
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
   * The cycles of the after-graph, for one look at a graph that does not change meanwhile (a
   * reconcile): one pass over the graph tells which services are on a cycle at all, and each cycle
   * found is walked once and serves every service on it. Asked of every blocked service of a long
   * chain, a walk per service was quadratic: a config dir of 6000 services in a chain behind a
   * missing one took 17 s to answer (3000: 3.2 s).
   */
  static final class Cycles {
    private final Map<String, Service> services;
    private Set<String> onCycles; // made on first use
    /** A found cycle's path, by each service on it, with that service's place in it. */
    private final Map<String, Place> found = new HashMap<>();

    private record Place(List<String> path, int at) {}

    Cycles(Map<String, Service> services) {
      this.services = services;
    }

    /**
     * A cycle through {@code name} as "a -> b -> a", if the after-edges form one: the one found
     * from it, or the rotation of one already found through it.
     */
    Optional<String> through(String name) {
      if (onCycles == null) onCycles = onCycles(services);
      if (!onCycles.contains(name)) return Optional.empty();
      Place place = found.get(name);
      if (place == null) {
        List<String> path = cyclePath(name, services);
        if (path == null) return Optional.empty(); // cannot be: name is on a cycle
        place = new Place(path, 0);
        for (int i = 0; i < path.size(); i++) found.putIfAbsent(path.get(i), new Place(path, i));
      }
      return Optional.of(shown(place.path(), place.at()) + " -> " + name);
    }
  }

  /**
   * The services on a cycle: those of a strongly connected component of more than one, or with an
   * edge to themselves (Tarjan's algorithm, with stacks of its own: a chain of thousands of
   * services overflowed the loop thread's stack when walked recursively).
   */
  static Set<String> onCycles(Map<String, Service> services) {
    Components c = new Components(services);
    for (String root : services.keySet()) {
      if (!c.index.containsKey(root)) c.walkFrom(root);
    }
    return c.onCycles;
  }

  /** The state of one run of Tarjan's algorithm. */
  private static final class Components {
    private final Map<String, Service> services;
    final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final Set<String> onStack = new HashSet<>();
    private final List<String> stack = new ArrayList<>();
    /** The walk's own call stack: the services being visited, and each one's edges left to follow. */
    private final List<String> callNames = new ArrayList<>();
    private final List<Iterator<String>> callEdges = new ArrayList<>();
    final Set<String> onCycles = new HashSet<>();
    private int counter;

    Components(Map<String, Service> services) {
      this.services = services;
    }

    void walkFrom(String root) {
      visit(root);
      while (!callNames.isEmpty()) {
        String v = callNames.getLast();
        Iterator<String> edges = callEdges.getLast();
        if (edges.hasNext()) {
          String w = edges.next();
          if (!services.containsKey(w)) continue;
          if (w.equals(v)) onCycles.add(v); // after itself
          if (!index.containsKey(w)) visit(w);
          else if (onStack.contains(w)) low.put(v, Math.min(low.get(v), index.get(w)));
          continue;
        }
        callNames.removeLast();
        callEdges.removeLast();
        if (!callNames.isEmpty()) {
          String parent = callNames.getLast();
          low.put(parent, Math.min(low.get(parent), low.get(v)));
        }
        if (low.get(v).equals(index.get(v))) { // v is its component's root: pop the component
          List<String> component = stack.subList(stack.lastIndexOf(v), stack.size());
          if (component.size() > 1) onCycles.addAll(component);
          onStack.removeAll(component);
          component.clear();
        }
      }
    }

    private void visit(String v) {
      index.put(v, counter);
      low.put(v, counter++);
      stack.add(v);
      onStack.add(v);
      callNames.add(v);
      callEdges.add(services.get(v).config.after().iterator());
    }
  }

  /**
   * The path of a cycle through {@code start}, from it to the service whose after-edge closes it,
   * or null. Depth first with a stack of its own.
   */
  private static List<String> cyclePath(String start, Map<String, Service> services) {
    Service first = services.get(start);
    if (first == null) return null;
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
      if (dep.equals(start)) return path;
      Service s = services.get(dep);
      if (s == null || !seen.add(dep)) continue;
      path.add(dep);
      next.add(s.config.after().iterator());
    }
    return null;
  }

  /**
   * The services of a cycle's path from its {@code at}-th (the path read round from there), those
   * in the middle left out when there are many: each blocked service of a long cycle shows it, and
   * 6000 full paths of 6000 names filled zinit's heap.
   */
  private static String shown(List<String> path, int at) {
    int n = path.size();
    List<String> names = new ArrayList<>();
    if (n <= SHOWN) {
      for (int i = 0; i < n; i++) names.add(path.get((at + i) % n));
      return String.join(" -> ", names);
    }
    int head = SHOWN / 2;
    int tail = SHOWN - head;
    for (int i = 0; i < head; i++) names.add(path.get((at + i) % n));
    names.add("... (" + (n - SHOWN) + " more)");
    for (int i = n - tail; i < n; i++) names.add(path.get((at + i) % n));
    return String.join(" -> ", names);
  }

  /** Services of a cycle named in full at most. */
  static final int SHOWN = 16;
}
