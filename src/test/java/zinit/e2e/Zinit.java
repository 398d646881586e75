package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One zinit daemon run through bin/zinit, with its own temp config dir and socket. Closing it
 * shuts zinit down, waits for it and removes the temp dir.
 */
final class Zinit implements AutoCloseable {
  static final Path ROOT = Path.of(System.getProperty("user.dir"));
  static final Path LAUNCHER = ROOT.resolve("bin/zinit");
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final Path config;
  Path socket;
  final Path output;
  private final List<String> extraArgs = new ArrayList<>();
  private final List<String> prefix = new ArrayList<>();
  private boolean container = true;
  private Path launcher = LAUNCHER;
  Process daemon;
  private int nextId = 1;

  Zinit() {
    try {
      dir = Files.createTempDirectory("zinit-e2e-");
      config = Files.createDirectory(dir.resolve("etc"));
      socket = dir.resolve("zinit.sock");
      output = dir.resolve("zinit.out");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Extra flags for `init` (e.g. --no-cgroups). */
  Zinit initArgs(String... args) {
    extraArgs.addAll(List.of(args));
    return this;
  }

  /** Without --container: as PID 1 of a namespace, zinit then powers it off at shutdown. */
  Zinit systemMode() {
    container = false;
    return this;
  }

  /** Another zinit than the checkout's bin/zinit, e.g. an unpacked distribution's. */
  Zinit launcher(Path zinit) {
    launcher = zinit;
    return this;
  }

  /** A command that wraps the launcher, e.g. unshare for a PID namespace. */
  Zinit wrappedIn(String... command) {
    prefix.addAll(List.of(command));
    return this;
  }

  Zinit service(String name, String yaml) {
    try {
      Files.writeString(config.resolve(name + ".yaml"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Another socket path than the temp dir's (before {@link #start}). */
  Zinit socketAt(Path path) {
    socket = path;
    return this;
  }

  /** A path in this run's temp dir, for marker files the services write. */
  Path file(String name) {
    return dir.resolve(name);
  }

  Zinit start() throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(launcher.toString(), "-s", socket.toString(), "init", "-c",
        config.toString()));
    if (container) cmd.add("--container");
    cmd.addAll(extraArgs);
    daemon =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    // Answers, not exists: after a crash the dead zinit's socket file is still there.
    waitFor(
        "zinit to listen on " + socket,
        Duration.ofSeconds(60),
        () -> answers(socket) || !daemon.isAlive());
    assertThat(daemon.isAlive()).as("zinit is running; its output:\n%s", output()).isTrue();
    // zinit listens before it loads its services and answers only after: once a call is
    // answered, the services of the config dir are loaded (and a file written now is not).
    call("service_list");
    return this;
  }

  private static boolean answers(Path socket) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** kill -9 of zinit itself, as the OOM killer does: its services live on, its socket file stays. */
  void killHard() throws InterruptedException {
    daemon.destroyForcibly();
    daemon.waitFor();
  }

  String output() {
    try {
      return Files.exists(output) ? Files.readString(output) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  record Result(int exit, String stdout, String stderr) {}

  /** Runs `bin/zinit -s SOCK args...` as a user would. */
  Result cli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "-s", socket.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "cli", ".out");
    Path err = Files.createTempFile(dir, "cli", ".err");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("zinit " + String.join(" ", args) + " did not finish");
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** One JSON-RPC call over the socket; returns the whole response object. */
  JsonNode rpc(String method, Object... params) throws IOException {
    ObjectNode req = JSON.createObjectNode();
    req.put("jsonrpc", "2.0");
    req.put("id", nextId++);
    req.put("method", method);
    req.set("params", JSON.valueToTree(params));
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap((JSON.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8)));
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      while (true) {
        if (ch.read(buf) < 0) break;
        byte[] soFar = new byte[buf.position()];
        buf.duplicate().flip().get(soFar);
        String text = new String(soFar, StandardCharsets.UTF_8);
        if (text.endsWith("\n")) return JSON.readTree(text);
      }
      throw new IOException("connection closed before a reply to " + method);
    }
  }

  /** The result of a call that must succeed. */
  JsonNode call(String method, Object... params) throws IOException {
    JsonNode reply = rpc(method, params);
    assertThat(reply.has("error")).as("%s failed: %s", method, reply).isFalse();
    return reply.get("result");
  }

  String state(String service) throws IOException {
    return call("service_status", service).get("state").asText();
  }

  void awaitState(String service, String state) throws IOException {
    awaitStateMatching(service, java.util.regex.Pattern.quote(state));
  }

  void awaitStateMatching(String service, String regex) throws IOException {
    Duration limit = Duration.ofSeconds(30);
    long end = System.nanoTime() + limit.toNanos();
    String last = null;
    while (System.nanoTime() < end) {
      last = state(service);
      if (last.matches(regex)) return;
      pause();
    }
    throw new AssertionError(service + " never matched " + regex + " (last: " + last + ")\n"
        + output());
  }

  static void waitFor(String what, Duration limit, BooleanSupplier condition) {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) return;
      pause();
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Pids written one per line into a marker file by a service. */
  List<Long> pidsIn(String marker) throws IOException {
    Path p = file(marker);
    if (!Files.exists(p)) return List.of();
    return Files.readAllLines(p).stream().map(String::trim).filter(s -> !s.isEmpty())
        .map(Long::parseLong).toList();
  }

  static boolean alive(long pid) {
    Path stat = Path.of("/proc/" + pid + "/stat");
    try {
      String s = Files.readString(stat);
      char state = s.charAt(s.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  private boolean exited(int seconds) {
    try {
      return daemon.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for zinit to exit", e);
    }
  }

  @Override
  public void close() throws IOException {
    boolean gone = daemon == null || !daemon.isAlive();
    try {
      if (!gone) {
        try {
          rpc("system_shutdown");
        } catch (IOException ignored) {
          // The daemon may be going away already: waiting below is what matters.
        }
        gone = exited(60);
        if (!gone) throw new AssertionError("zinit did not shut down; output:\n" + output());
      }
    } finally {
      // also when the test timed out and interrupted the wait: nothing of this test stays behind
      if (!gone) {
        daemon.descendants().forEach(ProcessHandle::destroyForcibly);
        daemon.destroyForcibly();
        boolean interrupted = Thread.interrupted();
        daemon.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        if (interrupted) Thread.currentThread().interrupt();
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

}
