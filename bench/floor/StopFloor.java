import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The floor of a stop on this JVM: only the work no supervisor can skip, on one thread, with no
 * hand-off. It spawns the services of a file, then serves {@code service_stop} on a Unix socket the
 * way zinit does on the wire: read a request, send SIGTERM through the service's pidfd, wait for
 * the process's death (waitid on the pidfd, which also reaps it), write the JSON-RPC reply. No
 * state, no cgroup, no checks, no log, no JSON library (the name and id are cut from the text).
 * bench/run measures it as the peer "jvm-floor" with scenario 1's client, on zinit's own runtime
 * and JVM flags, cold as zinit is (see bench/floor/README.md).
 *
 * <p>Usage: {@code java @src/main/dist/zinit.jvmopts -cp CLASSES StopFloor SOCKET SERVICES}, where
 * SERVICES has one line per service: its name, then its argv, separated by tabs.
 */
public final class StopFloor {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final MethodHandle POSIX_SPAWNP =
      handle("posix_spawnp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
  private static final MethodHandle PIDFD_OPEN = handle("pidfd_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle PIDFD_SEND_SIGNAL =
      handle("pidfd_send_signal", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle WAITID =
      handle("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final int SIGTERM = 15;
  private static final int P_PIDFD = 3;
  private static final int WEXITED = 4;
  private static final int SIGINFO_SIZE = 128;

  private static MethodHandle handle(String name, FunctionDescriptor signature) {
    return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), signature);
  }

  public static void main(String[] args) throws Throwable {
    Path socket = Path.of(args[0]);
    Map<String, Integer> pidfds = new HashMap<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment environ = LIBC.find("environ").orElseThrow().reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
      for (String line : Files.readAllLines(Path.of(args[1]))) {
        List<String> words = List.of(line.split("\t"));
        pidfds.put(words.getFirst(), spawn(arena, words.subList(1, words.size()), environ));
      }
    }
    MemorySegment info = Arena.global().allocate(SIGINFO_SIZE);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    for (; ; ) {
      try (SocketChannel client = server.accept()) {
        in.clear();
        while (client.read(in) >= 0) {
          // requests end with '\n'; one read may hold several
          for (int end; (end = indexOf(in, (byte) '\n')) >= 0; ) {
            String request = new String(in.array(), 0, end, StandardCharsets.UTF_8);
            in.flip().position(end + 1);
            in.compact();
            String reply = stop(request, pidfds, info);
            client.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
          }
        }
      }
    }
  }

  /** The reply to one {@code service_stop} request, sent once the service's process has died. */
  private static String stop(String request, Map<String, Integer> pidfds, MemorySegment info) throws Throwable {
    String id = between(request, "\"id\":", ",").trim();
    String name = between(request, "[\"", "\"]");
    Integer pidfd = pidfds.remove(name);
    if (pidfd == null) return error(id, "service '" + name + "' not found or stopped");
    if ((int) PIDFD_SEND_SIGNAL.invokeExact(pidfd.intValue(), SIGTERM, MemorySegment.NULL, 0) != 0)
      return error(id, "pidfd_send_signal failed");
    // blocks until the process has exited, and reaps it
    if ((int) WAITID.invokeExact(P_PIDFD, pidfd.intValue(), info, WEXITED) != 0) return error(id, "waitid failed");
    return "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":" + id + "}\n";
  }

  private static int spawn(Arena arena, List<String> argv, MemorySegment environ) throws Throwable {
    MemorySegment args = arena.allocate(ADDRESS, argv.size() + 1);
    for (int i = 0; i < argv.size(); i++) args.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
    args.setAtIndex(ADDRESS, argv.size(), MemorySegment.NULL);
    MemorySegment pid = arena.allocate(JAVA_INT);
    int err =
        (int) POSIX_SPAWNP.invokeExact(pid, arena.allocateFrom(argv.getFirst()), MemorySegment.NULL, MemorySegment.NULL, args, environ);
    if (err != 0) throw new IOException("posix_spawnp(" + argv + "): error " + err);
    int pidfd = (int) PIDFD_OPEN.invokeExact(pid.get(JAVA_INT, 0), 0);
    if (pidfd < 0) throw new IOException("pidfd_open(" + pid.get(JAVA_INT, 0) + ") failed");
    return pidfd;
  }

  private static String error(String id, String message) {
    return "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":\"" + message + "\"},\"id\":" + id + "}\n";
  }

  private static String between(String s, String from, String to) {
    int start = s.indexOf(from);
    if (start < 0) return "null";
    start += from.length();
    int end = s.indexOf(to, start);
    return end < 0 ? s.substring(start) : s.substring(start, end);
  }

  private static int indexOf(ByteBuffer buf, byte b) {
    for (int i = 0; i < buf.position(); i++) if (buf.get(i) == b) return i;
    return -1;
  }
}
