package zinit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zinit.config.ServiceFiles;
import zinit.logs.LogRing;
import zinit.rpc.RpcServer;
import zinit.supervisor.ProcessStats;
import zinit.supervisor.ServiceStatus;
import zinit.supervisor.Services;
import zinit.supervisor.Target;
import zinit.supervisor.ZinitException;

/** The CLI against a real socket server with a scripted supervisor. */
class CliTest {
  private Path dir;
  private Path socket;
  private RpcServer server;
  private final LogRing logs = new LogRing(10, () -> 1_764_536_601_123L); // 2025-11-30T21:03:21.123Z
  private final List<String> calls = new ArrayList<>();

  private record Run(int code, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("zinit-cli");
    socket = dir.resolve("z.sock");
    server = RpcServer.start(socket, new Scripted(), logs, new ServiceFiles(dir), new RpcServer.Options(null, l -> {}));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  private Run zinit(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Run zinit(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "-s";
    all[1] = socket.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return zinit(Map.of(), all);
  }

  @Test
  void listPrintsYaml() {
    Run r = zinit("list");
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("---\nredis: Running\n");
  }

  @Test
  void theFastPathAndPicocliAgree() {
    for (String[] args : new String[][] {{"list"}, {"status", "redis"}, {"stats", "redis"}, {"status", "nope"}}) {
      String[] full = new String[args.length + 3];
      full[0] = "-d";
      full[1] = "--socket";
      full[2] = socket.toString();
      System.arraycopy(args, 0, full, 3, args.length);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          Commands.execute(full, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
      Run fast = zinit(Map.of(), full);
      assertThat(fast).isEqualTo(new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void initOptionsOfTheFastPathAreWhatPicocliParses() {
    for (String[] args :
        new String[][] {
          {"init"},
          {"-d", "-s", "/tmp/x.sock", "init", "-c", "/srv/etc", "--container"},
          {"--socket=/tmp/y.sock", "init", "--config=/srv", "-b", "10", "--no-cgroups", "--socket-group", "adm"},
          {"init", "--buffer=7", "--socket-group=wheel", "--config", "rel/dir"},
          {"init", "--log-dir", "/srv/log", "-c", "/srv/etc"}
        }) {
      assertThat(FastPath.initOptions(initArgs(args), socketFlag(args), args[0].equals("-d"), Map.of()))
          .as(String.join(" ", args))
          .isEqualTo(picocliInitOptions(args));
    }
  }

  @Test
  void initOptionsOutsideThePlainFormsAreLeftToPicocli() {
    for (String[] args :
        new String[][] {
          {"init", "-c"},
          {"init", "-c", "/a", "-c", "/b"},
          {"init", "-c/srv"},
          {"init", "-b", "x"},
          {"init", "-b", "0"},
          {"init", "--container=true"},
          {"init", "--help"},
          {"init", "extra"},
          {"init", "-c", "--container"}
        }) {
      assertThat(FastPath.initOptions(initArgs(args), null, false, Map.of())).as(String.join(" ", args)).isNull();
    }
  }

  @Test
  void initHonoursNoCgroupsFromTheEnvironment() {
    assertThat(FastPath.initOptions(List.of(), null, false, Map.of("ZINIT_NO_CGROUPS", "1")).useCgroups()).isFalse();
    assertThat(FastPath.initOptions(List.of(), null, false, Map.of()).useCgroups()).isTrue();
  }

  private static List<String> initArgs(String[] args) {
    List<String> all = List.of(args);
    return all.subList(all.indexOf("init") + 1, all.size());
  }

  private static String socketFlag(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("-s")) return args[i + 1];
      if (args[i].startsWith("--socket=")) return args[i].substring("--socket=".length());
    }
    return null;
  }

  /** What `zinit init` would run with, as picocli parses the line (without running it). */
  private static zinit.daemon.DaemonOptions picocliInitOptions(String[] args) {
    Commands root = new Commands();
    picocli.CommandLine.ParseResult parsed = new picocli.CommandLine(root).parseArgs(args);
    picocli.CommandLine.Model.CommandSpec init = parsed.subcommand().commandSpec();
    return new zinit.daemon.DaemonOptions(
        init.findOption("--config").getValue(),
        root.socket(),
        (Integer) init.findOption("--buffer").getValue(),
        (Boolean) init.findOption("--container").getValue(),
        root.debug,
        init.findOption("--socket-group").getValue(),
        !(Boolean) init.findOption("--no-cgroups").getValue(),
        init.findOption("--log-dir").getValue(),
        init.findOption("--main").getValue());
  }

  @Test
  void noCommandMeansList() {
    assertThat(zinit().out()).isEqualTo("---\nredis: Running\n");
  }

  @Test
  void statusPrintsTheOriginalFieldsThenOurs() {
    Run r = zinit("status", "redis");
    assertThat(r.out())
        .isEqualTo("---\nname: redis\npid: 42\nstate: Running\ntarget: Up\nafter:\n  db: Unknown\nrestarts: 3\ndetail: fine\n");
  }

  @Test
  void statsPrintsYaml() {
    assertThat(zinit("stats", "redis").out())
        .isEqualTo("---\nname: redis\npid: 42\nmemory_usage: 1024\ncpu_usage: 0.5\nchildren:\n  - pid: 43\n    memory_usage: 512\n    cpu_usage: 0.0\n");
  }

  @Test
  void aServerErrorExitsOneWithItsMessageOnOneLineAndItsHintOnTheNext() {
    Run r = zinit("status", "nope");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "getting status: service 'nope' not found\n"
                + "hint: check the name with 'zinit list', or load it with 'zinit monitor'\n");
  }

  @Test
  void commandsSendTheirCalls() {
    assertThat(zinit("start", "redis").code()).isZero();
    assertThat(zinit("stop", "redis").code()).isZero();
    assertThat(zinit("restart", "redis").code()).isZero();
    assertThat(zinit("monitor", "web").code()).isZero();
    assertThat(zinit("forget", "web").code()).isZero();
    assertThat(zinit("kill", "redis").code()).isZero();
    assertThat(zinit("kill", "redis", "HUP").code()).isZero();
    assertThat(calls)
        .containsExactly(
            "start redis", "stop redis", "restart redis", "monitor web", "forget web", "kill redis SIGTERM", "kill redis SIGHUP");
  }

  @Test
  void reloadPrintsWhatBecameOfEachServiceAsYaml() {
    var r = zinit("reload");
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("---\ndb: unchanged\nweb: changed\n");
    assertThat(calls).containsExactly("reload");
  }

  @Test
  void logSnapshotPrintsTheBuffer() {
    logs.append("redis", false, "one");
    logs.append("db", true, "two");
    assertThat(zinit("log", "-s").out()).isEqualTo("[+] redis: one\n[-] db: two\n".replace("\n", System.lineSeparator()));
    assertThat(zinit("log", "--snapshot", "db").out()).isEqualTo("[-] db: two" + System.lineSeparator());
  }

  @Test
  void logTimestampsAndJsonCarryEachLinesTime() throws Exception {
    logs.append("redis", false, "one");
    logs.append("db", true, "t\"wo\\");
    String nl = System.lineSeparator();
    assertThat(zinit("log", "-s", "-t").out())
        .isEqualTo("2025-11-30T21:03:21.123Z [+] redis: one" + nl + "2025-11-30T21:03:21.123Z [-] db: t\"wo\\" + nl);
    assertThat(zinit("log", "--snapshot", "--json", "db").out())
        .isEqualTo("{\"time\":\"2025-11-30T21:03:21.123Z\",\"service\":\"db\",\"stream\":\"stderr\",\"msg\":\"t\\\"wo\\\\\"}" + nl);
    // the default stays the original's lines, byte for byte
    assertThat(zinit("log", "-s").out()).isEqualTo("[+] redis: one" + nl + "[-] db: t\"wo\\" + nl);
    Run both = zinit("log", "-s", "-t", "--json");
    assertThat(both.code()).isEqualTo(1);
    assertThat(both.err()).contains("cannot be combined");
  }

  @Test
  void logFollowWithTimestampsSendsHistoryThenNewLinesInThatForm() throws Exception {
    logs.append("redis", false, "old");
    try (zinit.rpc.RpcClient c = zinit.rpc.RpcClient.connect(socket)) {
      c.call("stream_subscribeLogs", Map.of("history", true, "format", "time"));
      logs.append("redis", false, "new");
      assertThat(c.nextNotification().get("result")).isEqualTo("2025-11-30T21:03:21.123Z [+] redis: old");
      assertThat(c.nextNotification().get("result")).isEqualTo("2025-11-30T21:03:21.123Z [+] redis: new");
    }
    try (zinit.rpc.RpcClient c = zinit.rpc.RpcClient.connect(socket)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.call("stream_currentLogs", Map.of("format", "xml")))
          .hasMessageContaining("format must be text, time or json");
    }
  }

  @Test
  void socketComesFromTheEnvironmentUnlessTheFlagIsGiven() {
    assertThat(zinit(Map.of("ZINIT_SOCKET", socket.toString()), "list").code()).isZero();
    Run r = zinit(Map.of("ZINIT_SOCKET", socket.toString()), "-s", dir.resolve("other.sock").toString(), "list");
    assertThat(r.code()).isEqualTo(1);
  }

  @Test
  void connectionErrorsNameTheSocketAndTheReason() throws Exception {
    Path missing = dir.resolve("missing.sock");
    Run r = zinit(Map.of(), "-s", missing.toString(), "list");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("cannot connect to zinit at " + missing, "no such socket");
    Path file = Files.writeString(dir.resolve("file.sock"), "");
    assertThat(zinit(Map.of(), "-s", file.toString(), "list").err()).contains("not a socket");
  }

  @Test
  void usageErrorsExitOne() {
    assertThat(zinit("status").code()).isEqualTo(1);
    assertThat(zinit("bogus").code()).isEqualTo(1);
    Run help = zinit("kill", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("SIGNAL");
  }

  /** One service "redis", running; records what is asked of it. */
  private final class Scripted implements Services {
    @Override
    public Map<String, String> list() {
      return Map.of("redis", "Running");
    }

    @Override
    public ServiceStatus status(String name) throws ZinitException {
      if (!name.equals("redis")) throw new ZinitException.NotFound(name);
      return new ServiceStatus("redis", 42, "Running", Target.Up, Map.of("db", "Unknown"), 3, null, "fine", null);
    }

    @Override
    public void start(String name) {
      calls.add("start " + name);
    }

    @Override
    public void stop(String name) {
      calls.add("stop " + name);
    }

    @Override
    public void restart(String name) {
      calls.add("restart " + name);
    }

    @Override
    public Map<String, String> reload() {
      calls.add("reload");
      return new java.util.TreeMap<>(Map.of("web", "changed", "db", "unchanged"));
    }

    @Override
    public void monitor(String name) {
      calls.add("monitor " + name);
    }

    @Override
    public void forget(String name) {
      calls.add("forget " + name);
    }

    @Override
    public void kill(String name, String signal) {
      calls.add("kill " + name + " " + signal);
    }

    @Override
    public ProcessStats stats(String name) {
      return new ProcessStats(42, 1024, 0.5, List.of(new ProcessStats.ChildStats(43, 512, 0.0)), 1536, 0.5);
    }

    @Override
    public void shutdown(boolean reboot) {
      calls.add("shutdown");
    }

    @Override
    public boolean shuttingDown() {
      return false;
    }
  }
}
