package zinit.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run for the daemon's AOT cache (JEP 483/514/515), started by the distribution's
 * build (src/main/dist/build) on the jlink runtime it ships:
 * {@code java -XX:AOTCacheOutput=zinit-daemon.aot -cp zinit.jar zinit.daemon.AotTraining}. It
 * does, in one JVM, what zinit's users start most often: a daemon with a few services (one
 * oneshot, one with a test and a dependency, one that logs), the calls clients make most against
 * it, and a shutdown. Classes loaded and linked here are then ready in
 * every later zinit JVM. Everything lives in a temp dir that is removed afterwards; exit 0 only when
 * the daemon came up, answered and shut down cleanly.
 *
 * <p>Before those calls it stops {@value #STOPPED} more services one by one, so that the stop
 * path's methods are compiled in this run and the cache records them: zinit runs with {@code
 * -XX:+AOTCompileEagerly}, which compiles each method the training compiled as soon as its class is
 * initialised, and stops come too rarely for the JIT ever to compile their path otherwise. The
 * build first runs this class without writing a cache, counting calls ({@code
 * -XX:+PrintTieredEvents}, nothing compiled) between the lines {@link #STOPS_BEGIN} and {@link
 * #STOPS_END}, and the training run then compiles only the methods those stops called ({@code
 * -XX:CompileCommandFile}): otherwise the training JVM's own start-up and class loading and the
 * daemon's start path would be compiled eagerly too, a slower launch and more memory for nothing
 * (bench/RESULTS.md, 2026-12-01, branch aotstop).
 */
public final class AotTraining {
  private static final int SERVICES = 16;
  // generous: a build on a loaded machine must not fail for want of a cache that takes 5 s when idle
  private static final long DEADLINE_NANOS = 180_000_000_000L;

  static final int STOPPED = 320;
  // the first stops load and link the stop path's classes: not counted, so class loading is not
  private static final int STOPS_UNCOUNTED = 20;
  static final String STOPS_BEGIN = "zinit aot training: counted stops begin";
  static final String STOPS_END = "zinit aot training: counted stops end";
  private static final byte[] ERROR = "\"error\"".getBytes(StandardCharsets.UTF_8);

  private AotTraining() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("zinit-aot-");
    int code;
    try {
      code = train(dir);
    } finally {
      deleteTree(dir);
    }
    System.exit(code);
  }

  private static int train(Path dir) throws Exception {
    Path config = Files.createDirectory(dir.resolve("etc"));
    Path socket = dir.resolve("zinit.sock");
    for (int i = 0; i < SERVICES; i++) Files.writeString(config.resolve("s" + i + ".yaml"), "exec: sleep 1000\n");
    for (int i = 0; i < STOPPED; i++) Files.writeString(config.resolve("x" + i + ".yaml"), "exec: sleep 1000\n");
    Files.writeString(config.resolve("once.yaml"), "exec: echo trained\noneshot: true\n");
    Files.writeString(
        config.resolve("after.yaml"),
        "exec: sh -c 'echo up; echo oops >&2; exec sleep 1000'\ntest: test -d /\nafter:\n  - once\n");

    int[] daemonCode = {-1};
    Thread daemon =
        Thread.ofPlatform()
            .name("zinit-aot-daemon")
            .start(() -> daemonCode[0] = Daemon.run(new DaemonOptions(config, socket, 2000, true, false, null, true)));
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    boolean shutdownSent = false;
    try {
      awaitAllRunning(socket, SERVICES + STOPPED + 1, deadline); // the oneshot ends as Success
      stopOneByOne(socket);
      exercise(socket);
      shutdownSent = true;
    } finally {
      // Whatever failed above, the daemon's services must not outlive the training.
      if (!shutdownSent && daemon.isAlive() && Files.exists(socket)) {
        try {
          call(socket, "system_shutdown", "");
        } catch (IOException e) {
          System.err.println("zinit aot training: shutdown: " + e);
        }
      }
      daemon.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }
    if (daemon.isAlive()) {
      System.err.println("zinit aot training: daemon did not shut down in time");
      return 1;
    }
    return daemonCode[0];
  }

  /**
   * What clients ask the daemon most, as raw JSON-RPC: the CLI's own classes belong in the client's
   * cache (zinit.cli.ClientTraining), since a JVM loads every class of its cache at start-up. Ends
   * in shutdown.
   */
  private static void exercise(Path socket) throws Exception {
    call(socket, "service_list", "");
    call(socket, "service_status", "\"after\"");
    call(socket, "service_stats", "\"s0\"");
    call(socket, "stream_currentLogs", "");
    call(socket, "service_stop", "\"s1\"");
    call(socket, "service_start", "\"s1\"");
    call(socket, "service_status", "\"nosuch\"");
    call(socket, "system_shutdown", "");
  }

  /**
   * Stops x0, x1, ... in turn on one connection, as a client stops a service. The requests are made
   * before the first stop and sent from a direct buffer, so that the counted calls are the daemon's
   * rather than this client's (a heap buffer goes through the JDK's temporary direct buffers, which
   * the daemon does not use).
   */
  private static void stopOneByOne(Path socket) throws IOException {
    byte[][] requests = new byte[STOPPED][];
    for (int i = 0; i < STOPPED; i++) {
      String request = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_stop\",\"params\":[\"x" + i + "\"]}\n";
      requests[i] = request.getBytes(StandardCharsets.UTF_8);
    }
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
    byte[] reply = new byte[1 << 16];
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      for (int i = 0; i < STOPPED; i++) {
        if (i == STOPS_UNCOUNTED) System.out.println(STOPS_BEGIN);
        buf.clear().put(requests[i]).flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
        do {
          if (ch.read(buf) < 0) throw new IOException("service_stop x" + i + ": connection closed");
        } while (buf.get(buf.position() - 1) != '\n');
        int n = buf.flip().remaining();
        buf.get(reply, 0, n);
        if (contains(reply, n, ERROR)) {
          throw new IOException("service_stop x" + i + ": " + new String(reply, 0, n, StandardCharsets.UTF_8));
        }
      }
    }
    System.out.println(STOPS_END);
  }

  private static boolean contains(byte[] text, int length, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= length; i++) {
      for (int j = 0; j < part.length; j++) if (text[i + j] != part[j]) continue outer;
      return true;
    }
    return false;
  }

  private static void awaitAllRunning(Path socket, int services, long deadline) throws Exception {
    for (; ; ) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("services not running in time");
      if (Files.exists(socket)) {
        String reply = call(socket, "service_list", "");
        if (reply.split("\"Running\"", -1).length - 1 == services) return;
      }
      Thread.sleep(20); // a training run only: nothing here is on a user's path
    }
  }

  /** One raw JSON-RPC call; returns the reply line. */
  private static String call(Path socket, String method, String params) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      String request = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":[" + params + "]}\n";
      ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      StringBuilder reply = new StringBuilder();
      while (reply.indexOf("\n") < 0 && ch.read(buf) > 0) {
        reply.append(StandardCharsets.UTF_8.decode(buf.flip()));
        buf.clear();
      }
      return reply.toString();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
