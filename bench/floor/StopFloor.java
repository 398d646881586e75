import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

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
import java.util.ArrayList;
import java.util.Arrays;
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
 * bench/run measures it as the peer "jvm-stop-floor" with scenario 1's client, on zinit's own
 * runtime and JVM flags, cold as zinit is (see bench/floor/README.md).
 *
 * <p>With {@code hops}, the same work takes the hand-offs zinit's design has (every state change
 * on one loop thread, one reaper thread for every child, a writer thread per connection): the reader
 * hands the request to a loop thread, which signals; a reaper thread waits for any child
 * (waitid(P_ALL)) and hands the exit to the loop, which hands the reply to a writer thread. Still
 * no checks, state or log: what those three hand-offs cost on this machine and JVM.
 *
 * <p>With {@code checks} (alone or with {@code hops}), the least a stop that keeps zinit's
 * guarantees must add (MISSION.md §3-4; zinit's os/SoleProcess): every service is spawned into a
 * cgroup of its own (a /bin/sh trampoline enters it before exec; all under one cgroup the floor
 * makes and removes again when it exits, SIGTERM included). Before the signal: cgroup.procs lists
 * main only, cgroup.stat has no sub-cgroup, /proc/main/status shows one thread, no tracer and
 * SIGTERM neither blocked, ignored nor caught (so it may be sent without freezing the cgroup);
 * after the death: cgroup.events says "populated 0", and only then the reply. If a check fails the
 * reply is an error (a real supervisor would freeze, or signal the others). Written to be cheap:
 * each file is opened at spawn and held, so a check is one pread through FFM (a critical call,
 * into a reused Java array). In hops mode the loop reads before the signal and the reaper
 * reads cgroup.events before it hands the exit to the loop, as zinit does.
 *
 * <p>Usage: {@code java @src/main/dist/zinit.jvmopts -cp CLASSES StopFloor SOCKET SERVICES [hops]
 * [checks]}, where SERVICES has one line per service: its name, then its argv, separated by tabs.
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
  /** Enters the cgroup named by $0, then becomes the service: the same script zinit's spawner uses. */
  private static final String TRAMPOLINE = "echo 0 > \"$0/cgroup.procs\" || exit 126; exec \"$@\"";

  private static MethodHandle handle(String name, FunctionDescriptor signature, Linker.Option... options) {
    return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), signature, options);
  }

  /** One service: its main process, and in checks mode the files its checks read. */
  private record Service(int pid, int pidfd, Checks checks) {}

  public static void main(String[] args) throws Throwable {
    Path socket = Path.of(args[0]);
    List<String> modes = Arrays.asList(args).subList(2, args.length);
    Cgroups cgroups = modes.contains("checks") ? Cgroups.create() : null;
    Map<String, Service> services = new HashMap<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment environ = LIBC.find("environ").orElseThrow().reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
      for (String line : Files.readAllLines(Path.of(args[1]))) {
        List<String> words = List.of(line.split("\t"));
        String name = words.getFirst();
        List<String> argv = words.subList(1, words.size());
        Path cgroup = null;
        if (cgroups != null) {
          cgroup = cgroups.make(name);
          List<String> trampoline = new ArrayList<>(List.of("/bin/sh", "-c", TRAMPOLINE, cgroup.toString()));
          trampoline.addAll(argv);
          argv = trampoline;
        }
        int[] spawned = spawn(arena, argv, environ);
        services.put(name, new Service(spawned[0], spawned[1], cgroup == null ? null : new Checks(cgroup, spawned[0])));
      }
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    if (modes.contains("hops")) {
      Hops.serve(server, services, cgroups != null);
      return;
    }
    MemorySegment info = Arena.global().allocate(SIGINFO_SIZE);
    Reads reads = cgroups != null ? new Reads() : null; // no checks, no class of theirs loaded
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
            String reply = stop(request, services, info, reads);
            client.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
          }
        }
      }
    }
  }

  /** The reply to one {@code service_stop} request, sent once the service's process has died. */
  private static String stop(String request, Map<String, Service> services, MemorySegment info, Reads reads)
      throws Throwable {
    String id = between(request, "\"id\":", ",").trim();
    String name = between(request, "[\"", "\"]");
    Service s = services.remove(name);
    if (s == null) return error(id, "service '" + name + "' not found or stopped");
    if (s.checks != null && !s.checks.sole(reads)) {
      services.put(name, s);
      return error(id, "'" + name + "' is not one process taking SIGTERM's default action");
    }
    if ((int) PIDFD_SEND_SIGNAL.invokeExact(s.pidfd, SIGTERM, MemorySegment.NULL, 0) != 0)
      return error(id, "pidfd_send_signal failed");
    // blocks until the process has exited, and reaps it
    if ((int) WAITID.invokeExact(P_PIDFD, s.pidfd, info, WEXITED) != 0) return error(id, "waitid failed");
    if (s.checks != null && !s.checks.empty(reads)) return error(id, "'" + name + "': its cgroup is not empty");
    return ok(id);
  }

  /** The same stops through zinit's hand-offs: reader, loop, reaper, loop, writer. */
  private static final class Hops {
    static void serve(ServerSocketChannel server, Map<String, Service> services, boolean checks) throws Throwable {
      ExecutorService loop = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
      Map<String, Service> live = new HashMap<>(services); // loop thread only
      Map<Integer, Service> byPid = new HashMap<>(); // read-only once the reaper starts
      for (Service s : services.values()) byPid.put(s.pid, s);
      Map<Integer, String> waiting = new HashMap<>(); // pid -> reply id, loop thread only
      Reads loopReads = checks ? new Reads() : null; // loop thread only
      BlockingQueue<String> replies = new LinkedBlockingQueue<>();
      Thread.ofPlatform().daemon().start(() -> reap(loop, byPid, waiting, replies, checks ? new Reads() : null));
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
              Service s = live.remove(name);
              try {
                if (s != null && s.checks != null && !s.checks.sole(loopReads)) {
                  live.put(name, s);
                  s = null;
                }
                if (s == null || (int) PIDFD_SEND_SIGNAL.invokeExact(s.pidfd, SIGTERM, MemorySegment.NULL, 0) != 0) {
                  replies.add(error(id, "cannot stop '" + name + "'"));
                  return;
                }
              } catch (Throwable t) {
                throw new IllegalStateException(t);
              }
              waiting.put(s.pid, id);
            });
          }
        }
        writer.interrupt();
        client.close();
      }
    }

    /**
     * One thread reaps every child (waitid(P_ALL)) and hands each exit to the loop; in checks mode
     * it reads the cgroup's emptiness first, as zinit's reaper does.
     */
    private static void reap(
        ExecutorService loop,
        Map<Integer, Service> byPid,
        Map<Integer, String> waiting,
        BlockingQueue<String> replies,
        Reads reads) {
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
        Service s = byPid.get(pid);
        boolean empty = s == null || s.checks == null || s.checks.empty(reads);
        loop.execute(() -> {
          String id = waiting.remove(pid);
          if (id != null) replies.add(empty ? ok(id) : error(id, "its cgroup is not empty"));
        });
      }
    }
  }

  /** A thread's buffer for the small files of the checks, read at offset 0 through a held fd. */
  private static final class Reads {
    private static final MethodHandle OPEN =
        handle("__open_2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle PREAD =
        handle("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), Linker.Option.critical(true));
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int SIZE = 4096;

    final byte[] buf = new byte[SIZE];
    private final MemorySegment heap = MemorySegment.ofArray(buf);

    /** Opens a file to be read again and again (at spawn, not on the stop path). */
    static int open(String path) throws IOException {
      int fd;
      try (Arena arena = Arena.ofConfined()) {
        fd = (int) OPEN.invokeExact(arena.allocateFrom(path), O_RDONLY_CLOEXEC);
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
      if (fd < 0) throw new IOException("open(" + path + ") failed");
      return fd;
    }

    /**
     * The file's bytes as they are now into {@link #buf}, their count; -1 when it cannot be read or
     * does not fit. A read at offset 0 of a cgroup or /proc file makes its text anew, and one read
     * is the whole of it: these files give as much as fits, and all are far shorter than the buffer.
     */
    int read(int fd) {
      try {
        long n = (long) PREAD.invokeExact(fd, heap, (long) SIZE, 0L);
        return n < SIZE ? (int) n : -1;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }
  }

  /**
   * A service's cgroup files and /proc/pid/status, opened at spawn and held: a read is then one
   * pread (an open, read and close each were measured slower, bench/RESULTS.md). The status fd
   * stays bound to the process it was opened for: once that is reaped it reads nothing, even if
   * the pid is reused.
   */
  private static final class Checks {
    private static final byte[] NO_DESCENDANTS = "nr_descendants 0\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNPOPULATED = "populated 0\n".getBytes(StandardCharsets.US_ASCII);

    private final int procs;
    private final int stat;
    private final int events;
    private final int status;
    private final byte[] onlyMain; // cgroup.procs when main is its only process

    Checks(Path cgroup, int pid) throws IOException {
      procs = Reads.open(cgroup + "/cgroup.procs");
      stat = Reads.open(cgroup + "/cgroup.stat");
      events = Reads.open(cgroup + "/cgroup.events");
      status = Reads.open("/proc/" + pid + "/status");
      onlyMain = (pid + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether SIGTERM to main alone kills every process of the cgroup (zinit's os/SoleProcess, steps
     * 1-2): the cgroup has no other process and no sub-cgroup; main has one thread, no tracer, and
     * takes SIGTERM's default action (the kernel then makes it a group kill as it is sent).
     */
    boolean sole(Reads r) {
      int n = r.read(procs);
      if (n != onlyMain.length || !Arrays.equals(r.buf, 0, n, onlyMain, 0, n)) return false;
      n = r.read(stat);
      if (n < NO_DESCENDANTS.length || !Arrays.equals(r.buf, 0, NO_DESCENDANTS.length, NO_DESCENDANTS, 0, NO_DESCENDANTS.length))
        return false;
      n = r.read(status);
      if (n < 0) return false;
      String s = new String(r.buf, 0, n, StandardCharsets.ISO_8859_1);
      // The fields come in this order; SigBlk, SigIgn and SigCgt are lines of 16 hex digits in a row.
      int tracer = s.indexOf("\nTracerPid:\t");
      if (tracer < 0 || !s.startsWith("0\n", tracer + 12)) return false;
      int threads = s.indexOf("\nThreads:\t", tracer);
      if (threads < 0 || !s.startsWith("1\n", threads + 10)) return false;
      int blocked = s.indexOf("\nSigBlk:\t", threads);
      if (blocked < 0 || !s.startsWith("\nSigIgn:\t", blocked + 25) || !s.startsWith("\nSigCgt:\t", blocked + 50))
        return false;
      return clear(s, blocked + 9) && clear(s, blocked + 34) && clear(s, blocked + 59);
    }

    /** Whether SIGTERM's bit (15 - 1 = 14: the 4 of the fourth hex digit from the right) is clear. */
    private static boolean clear(String s, int digits) {
      return (Character.digit(s.charAt(digits + 12), 16) & 4) == 0;
    }

    /**
     * cgroup.events says "populated 0": no process left in the cgroup or below it. Read once main
     * has died, it also stands for zinit's step 4 (no fork raced the signal): whatever main forked
     * would still be in the cgroup. zinit runs that step off the stop's path to know whether others
     * need a signal; here they would make the reply an error.
     */
    boolean empty(Reads r) {
      int n = r.read(events);
      return n >= UNPOPULATED.length && Arrays.equals(r.buf, 0, UNPOPULATED.length, UNPOPULATED, 0, UNPOPULATED.length);
    }
  }

  /**
   * The cgroups of checks mode: one made under the cgroup v2 hierarchy (found from
   * /proc/self/mountinfo, under this JVM's own cgroup), a child per service; all removed at exit
   * (SIGTERM included), each killed first if a process is left in it.
   */
  private static final class Cgroups {
    private final Path base;
    private final List<Path> made = new ArrayList<>();

    private Cgroups(Path base) {
      this.base = base;
    }

    static Cgroups create() throws IOException {
      String own = null;
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) if (line.startsWith("0::")) own = line.substring(3);
      Path dir = null;
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        int dash = line.indexOf(" - ");
        if (own == null || dash < 0 || !line.startsWith("cgroup2 ", dash + 3)) continue;
        String[] f = line.substring(0, dash).split(" ");
        String root = f[3]; // the mount's root in the hierarchy: "/" unless a sub-tree is mounted
        if (root.equals("/")) dir = Path.of(f[4] + own);
        else if (own.equals(root) || own.startsWith(root + "/")) dir = Path.of(f[4] + own.substring(root.length()));
        if (dir != null) break;
      }
      if (dir == null) throw new IOException("no cgroup v2 hierarchy in /proc/self/mountinfo");
      Cgroups cgroups = new Cgroups(Files.createDirectory(dir.resolve("stopfloor-" + ProcessHandle.current().pid())));
      Runtime.getRuntime().addShutdownHook(new Thread(cgroups::removeAll));
      return cgroups;
    }

    synchronized Path make(String name) throws IOException {
      Path cgroup = Files.createDirectory(base.resolve(name));
      made.add(cgroup);
      return cgroup;
    }

    /** At exit: every cgroup made killed (when populated), waited for until empty, removed. */
    private synchronized void removeAll() {
      try {
        for (Path cgroup : made) {
          if (!populated(cgroup)) continue;
          Files.writeString(cgroup.resolve("cgroup.kill"), "1");
          // not timed: the benchmark stops every service before it ends the floor
          for (int i = 0; i < 10_000 && populated(cgroup); i++) Thread.sleep(1);
        }
        for (Path cgroup : made) Files.delete(cgroup);
        Files.delete(base);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("removing " + base, e);
      }
    }

    private static boolean populated(Path cgroup) throws IOException {
      return !Files.readString(cgroup.resolve("cgroup.events")).contains("populated 0");
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

  private static String ok(String id) {
    return "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":" + id + "}\n";
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
