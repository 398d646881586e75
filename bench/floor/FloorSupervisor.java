import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
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
import java.util.List;

/**
 * The JVM's floor for a supervisor (issue 13): only the work zinit cannot avoid. It binds a Unix
 * socket, starts each service of a list into a cgroup of its own (v2) with its stdout and stderr
 * on pipes, holds a pidfd per service, answers one-line requests with the list of services, and on
 * SIGTERM kills every cgroup and exits once all are empty. No config parsing, no logs, no
 * dependencies, no restarts: what it costs is what any JVM doing this costs. Like zinit, it hands
 * start-up's freed native memory back once, 10 s after start.
 *
 * <p>Spawning is the JDK's own (ProcessBuilder; -Djdk.lang.Process.launchMechanism chooses how),
 * through a /bin/sh that enters the cgroup and execs the service, as zinit's trampoline does
 * (glibc 2.36 has no posix_spawnattr_setcgroup_np, and clone3's CLONE_INTO_CGROUP cannot be used
 * from Java). pidfd_open through one FFM downcall (syscall(2)): the JDK has no pidfds.
 *
 * <p>Usage: FloorSupervisor SOCKET SERVICES, SERVICES holding one service per line: its name, then
 * its argv, fields separated by tabs. With SERVICES "-": none (the floor of an empty supervisor).
 */
public final class FloorSupervisor {
  private static final String TRAMPOLINE = "echo 0 > \"$0/cgroup.procs\" || exit 126; exec \"$@\"";

  public static void main(String[] args) throws Throwable {
    Path socket = Path.of(args[0]);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    List<String> lines = args[1].equals("-") ? List.of() : Files.readAllLines(Path.of(args[1]));
    Path base = cgroupBase();
    MethodHandle syscall =
        Linker.nativeLinker()
            .downcallHandle(
                Linker.nativeLinker().defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(1));
    List<Path> cgroups = new ArrayList<>();
    List<Process> processes = new ArrayList<>();
    List<Long> pidfds = new ArrayList<>();
    StringBuilder reply = new StringBuilder("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(base, cgroups, processes)));
    for (String line : lines) {
      String[] f = line.split("\t");
      Path cg = Files.createDirectory(base.resolve(f[0]));
      cgroups.add(cg);
      List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", TRAMPOLINE, cg.toString()));
      for (int i = 1; i < f.length; i++) argv.add(f[i]);
      Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      processes.add(p);
      pidfds.add((long) syscall.invokeExact(434L, (int) p.pid(), 0)); // SYS_pidfd_open
      reply.append(cgroups.size() > 1 ? "," : "").append('"').append(f[0]).append("\":\"Running\"");
    }
    // As zinit does: start-up's compiler arenas, freed by the JVM within seconds, go back to the
    // kernel in one malloc_trim 10 s after start (its own thread, which then ends).
    MethodHandle trim =
        Linker.nativeLinker()
            .downcallHandle(
                Linker.nativeLinker().defaultLookup().find("malloc_trim").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    Thread.ofPlatform().daemon().start(() -> {
      try {
        Thread.sleep(10_000);
        int unused = (int) trim.invokeExact(0L);
      } catch (Throwable e) {
        throw new RuntimeException(e);
      }
    });
    byte[] answer = reply.append("}}\n").toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer request = ByteBuffer.allocate(4096);
    for (; ; ) {
      try (SocketChannel client = server.accept()) {
        request.clear();
        while (client.read(request) > 0 && request.get(request.position() - 1) != '\n') {}
        client.write(ByteBuffer.wrap(answer));
      }
    }
  }

  /** A fresh cgroup under this JVM's own (cgroup v2), for the services' cgroups. */
  private static Path cgroupBase() throws IOException {
    String mount = null;
    for (String m : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      String[] f = m.split(" ");
      if (f[2].equals("cgroup2")) mount = f[1];
    }
    String own = null;
    for (String c : Files.readAllLines(Path.of("/proc/self/cgroup"))) if (c.startsWith("0::")) own = c.substring(3);
    if (mount == null || own == null) throw new IOException("no cgroup v2 hierarchy");
    return Files.createDirectory(Path.of(mount + own).resolve("floor-" + ProcessHandle.current().pid()));
  }

  /** SIGTERM: every cgroup killed, waited for until empty, removed. */
  private static void stopAll(Path base, List<Path> cgroups, List<Process> processes) {
    try {
      for (Path cg : cgroups) Files.writeString(cg.resolve("cgroup.kill"), "1");
      for (Process p : processes) p.waitFor();
      for (Path cg : cgroups) {
        while (!Files.readString(cg.resolve("cgroup.events")).contains("populated 0")) Thread.sleep(1);
        Files.delete(cg);
      }
      Files.delete(base);
    } catch (IOException | InterruptedException e) {
      throw new RuntimeException(e);
    }
  }
}
