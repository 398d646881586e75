package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The nesting bound of service files. A service file needs three levels (`signal: {stop: ...}`);
 * anything much deeper is a mistake or an attack, and walking it recursively could exhaust the
 * stack of the thread that reads it (zinit's main thread at boot, a connection's on service_get).
 */
public final class Nesting {
  /** Deepest mapping/list nesting accepted, far below what any thread's stack can walk. */
  public static final int MAX_DEPTH = 32;

  private Nesting() {}

  /** service_create content nested deeper than {@link #MAX_DEPTH}: it is refused, nothing is written. */
  public static final class TooDeepException extends IOException {
    TooDeepException(String file, int depth) {
      super(file + ": nested " + depth + " levels deep, at most " + MAX_DEPTH + " are allowed");
    }
  }

  static String reason(int depth) {
    return "nested more than " + MAX_DEPTH + " levels deep (at least " + depth + "); a service file needs 3";
  }

  /** Throws when {@code root} is nested deeper than the bound; iterative, so any depth is safe. */
  static void check(String file, JsonNode root) throws TooDeepException {
    int deepest = depth(root);
    if (deepest > MAX_DEPTH) throw new TooDeepException(file, deepest);
  }

  /** Containers on the deepest path: a scalar is 0, {@code {a: 1}} is 1. */
  static int depth(JsonNode root) {
    record At(JsonNode node, int depth) {}
    Deque<At> todo = new ArrayDeque<>();
    todo.push(new At(root, 0));
    int deepest = 0;
    while (!todo.isEmpty()) {
      At at = todo.pop();
      if (at.node() == null || !at.node().isContainerNode()) continue;
      int d = at.depth() + 1;
      deepest = Math.max(deepest, d);
      for (JsonNode child : at.node()) todo.push(new At(child, d));
    }
    return deepest;
  }
}
