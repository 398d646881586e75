package zinit.daemon;

import java.util.List;

/**
 * Initialises at start the classes that the stop path's compiled code waits for. For each method
 * the AOT training compiled, the cache records the classes the compile looked at that were
 * initialised by then; {@code -XX:+AOTCompileEagerly} compiles the method in a later JVM only once
 * the last of those is initialised there too. The training's daemon had made connections, seen
 * exits with a code, failed calls and contended locks before its stops; a fresh daemon makes its
 * first connection with its first client, and may never see the rest. Without these, the methods
 * that read and answer a request ({@code Connection}, {@code Dispatcher}, {@code PlainRequests}),
 * reap an exit ({@code Reaper.reapOne}, {@code Lifecycle.describe}) or signal a process ({@code
 * Pidfd.trySignal}) stay interpreted until then, or for good. Found by comparing each compile's
 * classes ({@code -XX:+AOTPrintTrainingInfo}) with those a fresh daemon initialises ({@code
 * -Xlog:training=debug}, "Replay training"): bench/RESULTS.md, 2026-12-01, branch aot. Names, not
 * class literals: most are package-private elsewhere, or the JDK's or Jackson's.
 */
final class StopPathClasses {
  static final List<String> NAMES =
      List.of(
          // the first connection's
          "zinit.rpc.Connection",
          "zinit.rpc.Framer",
          "zinit.rpc.Outbox",
          "zinit.rpc.Outbox$Sent",
          "zinit.rpc.Params",
          "zinit.rpc.PlainRequests",
          "zinit.rpc.SmallReplies",
          "zinit.rpc.SmallReplies$1", // javac's map for SmallReplies' switch on a JsonNodeType
          "zinit.os.SocketSend",
          "com.fasterxml.jackson.databind.node.ArrayNode",
          "com.fasterxml.jackson.databind.node.BooleanNode",
          "com.fasterxml.jackson.databind.node.IntNode",
          "com.fasterxml.jackson.databind.node.NullNode",
          // a service's first exit with a code, a first failed call, a first contended lock
          "zinit.supervisor.ExitStatus$Exited",
          "zinit.os.OsException",
          "java.util.concurrent.locks.AbstractQueuedLongSynchronizer$Node",
          // the first stop's own
          "java.util.concurrent.CompletableFuture$UniHandle",
          "java.util.concurrent.CopyOnWriteArrayList$COWIterator");

  private StopPathClasses() {}

  /** Off the start's path (the warm-up's thread): the services' start does not wait for it. */
  static void initialise() {
    ClassLoader loader = StopPathClasses.class.getClassLoader();
    for (String name : NAMES) {
      try {
        Class.forName(name, true, loader);
      } catch (ClassNotFoundException e) {
        // another JDK's internals: only when the stop path is compiled depends on it
      }
    }
  }
}
