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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The floor of a stop on this JVM: only the work no supervisor can skip, on one thread, with no
 * hand-off. It spawns the services of a file, then serves {@code service_stop} on a Unix socket the
 * way zinit does on the wire: read a request, send SIGTERM through the service's pidfd, wait for
 * the process's death (waitid on the pidfd, which also reaps it), write the JSON-RPC reply. No
 * state, no cgroup, no checks, no log, no JSON library (the name and id are cut from the text).
 * bench/run measures it as the peer "jvm-floor" with scenario 1's client, on zinit's own runtime
 * and JVM flags, cold as zinit is (see bench/floor/README.md).
 *
 * <p>With {@code hops}, the same work takes the hand-offs zinit's design has (every state change
 * on one loop thread, one reaper thread for every child, a writer thread per connection): the reader
 * hands the request to a loop thread, which signals; a reaper thread waits for any child
 * (waitid(P_ALL)) and hands the exit to the loop, which hands the reply to a writer thread. Still
 * no checks, state or log: what those three hand-offs cost on this machine and JVM.
 *
 * <p>Usage: {@code java @src/main/dist/zinit.jvmopts -cp CLASSES StopFloor SOCKET SERVICES [hops]},
 * where SERVICES has one line per service: its name, then its argv, separated by tabs.
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
  private static final int P_ALL = 0;
  private static final int P_PIDFD = 3;
  private static final int SIGINFO_PID = 16; // si_pid in Linux's siginfo_t on 64-bit
  private static final int WEXITED = 4;
  private static final int SIGINFO_SIZE = 128;

  private static MethodHandle handle(String name, FunctionDescriptor signature) {
    return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), signature);
  }

  public static void main(String[] args) throws Throwable {
    Path socket = Path.of(args[0]);
    Map<String, Integer> pidfds = new HashMap<>();
    Map<String, Integer> pids = new HashMap<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment environ = LIBC.find("environ").orElseThrow().reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
      for (String line : Files.readAllLines(Path.of(args[1]))) {
        List<String> words = List.of(line.split("\t"));
        int[] spawned = spawn(arena, words.subList(1, words.size()), environ);
        pids.put(words.getFirst(), spawned[0]);
        pidfds.put(words.getFirst(), spawned[1]);
      }
    }
    MemorySegment info = Arena.global().allocate(SIGINFO_SIZE);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    if (args.length > 2 && args[2].equals("hops")) {
      Hops.serve(server, pids, pidfds);
      return;
    }
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

  /** The same stops through zinit's hand-offs: reader, loop, reaper, loop, writer. */
  private static final class Hops {
    static void serve(ServerSocketChannel server, Map<String, Integer> pids, Map<String, Integer> pidfds) throws Throwable {
      ExecutorService loop = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
      Map<Integer, String> waiting = new HashMap<>(); // pid -> reply id, loop thread only
      BlockingQueue<String> replies = new LinkedBlockingQueue<>();
      Thread.ofPlatform().daemon().start(() -> reap(loop, waiting, replies));
      for (; ; ) {
        SocketChannel client = server.accept();
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
          try {
            for (; ; ) client.write(ByteBuffer.wrap(replies.take().getBytes(StandardCharsets.UTF_8)));
          } catch (IOException | InterruptedException e) {
            // the client left
          }
        });
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        while (client.read(in) >= 0) {
          for (int end; (end = indexOf(in, (byte) '\n')) >= 0; ) {
            String request = new String(in.array(), 0, end, StandardCharsets.UTF_8);
            in.flip().position(end + 1);
            in.compact();
            String id = between(request, "\"id\":", ",").trim();
            String name = between(request, "[\"", "\"]");
            loop.execute(() -> {
              Integer pidfd = pidfds.remove(name);
              try {
                if (pidfd == null || (int) PIDFD_SEND_SIGNAL.invokeExact(pidfd.intValue(), SIGTERM, MemorySegment.NULL, 0) != 0) {
                  replies.add(error(id, "cannot stop '" + name + "'"));
                  return;
                }
              } catch (Throwable t) {
                throw new IllegalStateException(t);
              }
              waiting.put(pids.get(name), id);
            });
          }
        }
        writer.interrupt();
        client.close();
      }
    }

    /** One thread reaps every child (waitid(P_ALL)) and hands each exit to the loop. */
    private static void reap(ExecutorService loop, Map<Integer, String> waiting, BlockingQueue<String> replies) {
      MemorySegment info = Arena.global().allocate(SIGINFO_SIZE);
      for (; ; ) {
        int r;
        try {
          r = (int) WAITID.invokeExact(P_ALL, 0, info, WEXITED);
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
        if (r != 0) continue; // EINTR, or no child yet
        int pid = info.get(JAVA_INT, SIGINFO_PID);
        loop.execute(() -> {
          String id = waiting.remove(pid);
          if (id != null) replies.add("{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":" + id + "}\n");
        });
      }
    }
  }

  /** Spawns argv; its pid and a pidfd. */
  private static int[] spawn(Arena arena, List<String> argv, MemorySegment environ) throws Throwable {
    MemorySegment args = arena.allocate(ADDRESS, argv.size() + 1);
    for (int i = 0; i < argv.size(); i++) args.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
    args.setAtIndex(ADDRESS, argv.size(), MemorySegment.NULL);
    MemorySegment pid = arena.allocate(JAVA_INT);
    int err =
        (int) POSIX_SPAWNP.invokeExact(pid, arena.allocateFrom(argv.getFirst()), MemorySegment.NULL, MemorySegment.NULL, args, environ);
    if (err != 0) throw new IOException("posix_spawnp(" + argv + "): error " + err);
    int pidfd = (int) PIDFD_OPEN.invokeExact(pid.get(JAVA_INT, 0), 0);
    if (pidfd < 0) throw new IOException("pidfd_open(" + pid.get(JAVA_INT, 0) + ") failed");
    return new int[] {pid.get(JAVA_INT, 0), pidfd};
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
