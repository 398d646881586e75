package zinit.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import zinit.daemon.Daemon;
import zinit.os.ProcessExit;
import zinit.daemon.DaemonOptions;

/** zinit's command line: picocli parses, each command is one or two calls on the socket. */
@Command(
    name = "zinit",
    mixinStandardHelpOptions = true,
    versionProvider = Commands.VersionProvider.class,
    description = "A PID 1 and process supervisor. Without a command: list (init as PID 1).",
    scope = CommandLine.ScopeType.INHERIT,
    exitCodeOnInvalidInput = 1)
final class Commands implements Callable<Integer> {
  static final String DEFAULT_SOCKET = "/var/run/zinit.sock";

  /** {@code zinit --version}: the build's version, the one rpc.discover and metrics report. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"zinit " + zinit.Version.VALUE + " (JVM)"};
    }
  }
  static final String DEFAULT_CONFIG = "/etc/zinit/";

  @Option(names = {"-s", "--socket"}, scope = CommandLine.ScopeType.LOCAL, paramLabel = "PATH", description = "unix socket of zinit (default: $ZINIT_SOCKET or " + DEFAULT_SOCKET + ")")
  Path socketOption;

  @Option(names = {"-d", "--debug"}, scope = CommandLine.ScopeType.LOCAL, description = "debug output")
  boolean debug;

  private Map<String, String> env = Map.of();
  private PrintStream out = System.out;

  static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Commands root = new Commands();
    root.env = env;
    root.out = out;
    CommandLine cl = new CommandLine(root);
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          err.println(Actions.message(e));
          return 1;
        });
    return cl.execute(args);
  }

  /** A failure that is already described for the user. */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message);
    }
  }


  Path socket() {
    return socketPath(socketOption == null ? null : socketOption.toString(), env);
  }

  /** The flag wins over ZINIT_SOCKET, which wins over the default. */
  static Path socketPath(String flagOrNull, Map<String, String> env) {
    if (flagOrNull != null) return Path.of(flagOrNull);
    String fromEnv = env.get("ZINIT_SOCKET");
    return Path.of(fromEnv != null && !fromEnv.isEmpty() ? fromEnv : DEFAULT_SOCKET);
  }

  private Actions actions() {
    return new Actions(socket(), out);
  }



  @Override
  public Integer call() throws Exception {
    return list();
  }

  @Command(name = "init", description = "run as init: start and supervise the services of the config dir")
  int init(
      @Option(names = {"-c", "--config"}, paramLabel = "DIR", defaultValue = DEFAULT_CONFIG, description = "service files directory (default: ${DEFAULT-VALUE})") Path config,
      @Option(names = {"-b", "--buffer"}, paramLabel = "LINES", defaultValue = "2000", description = "log lines kept (default: ${DEFAULT-VALUE})") int buffer,
      @Option(names = "--container", description = "container mode: exit on SIGTERM/SIGINT/SIGHUP instead of powering off") boolean container,
      @Option(names = "--socket-group", paramLabel = "GROUP", description = "group allowed to use the socket (mode 0660)") String socketGroup,
      @Option(names = "--no-cgroups", description = "do not track services with cgroups (also ZINIT_NO_CGROUPS=1)") boolean noCgroups,
      @Option(names = "--log-dir", paramLabel = "DIR", defaultValue = "/var/log/zinit", description = "log files of 'log: file' services without log_file (default: ${DEFAULT-VALUE})") Path logDir,
      @Option(names = "--main", paramLabel = "SERVICE", description = "with --container: when SERVICE ends on its own, shut down and exit with its exit code (128+signal when killed)") String main)
      throws Failure {
    if (buffer < 1) throw new Failure("--buffer must be at least 1, got " + buffer);
    if (main != null && !container) throw new Failure("--main needs --container");
    boolean cgroups = !noCgroups && !"1".equals(env.get("ZINIT_NO_CGROUPS"));
    DaemonOptions options =
        new DaemonOptions(config, socket(), buffer, container, debug, socketGroup, cgroups, logDir, main);
    out.flush();
    ProcessExit.now(Daemon.run(options));
    return 0;
  }

  @Command(name = "list", description = "every service and its state")
  int list() throws Exception {
    return actions().run("list", List.of(), false);
  }

  @Command(name = "status", description = "detailed status of a service")
  int status(@Parameters(paramLabel = "SERVICE") String service) throws Exception {
    return actions().run("status", List.of(service), false);
  }

  @Command(name = "start", description = "start a service (no effect when it is running)")
  int start(@Parameters(paramLabel = "SERVICE") String service) throws Exception {
    return actions().run("start", List.of(service), false);
  }

  @Command(name = "stop", description = "stop a service and every process it started; returns when they are gone")
  int stop(@Parameters(paramLabel = "SERVICE") String service) throws Exception {
    return actions().run("stop", List.of(service), false);
  }

  @Command(name = "restart", description = "stop, then start a service")
  int restart(@Parameters(paramLabel = "SERVICE") String service) throws Exception {
    return actions().run("restart", List.of(service), false);
  }

  @Command(name = "reload", description = "re-read the config dir and apply the difference (added, changed, removed)")
  int reload() throws Exception {
    return actions().run("reload", List.of(), false);
  }

  @Command(name = "monitor", description = "load SERVICE.yaml from the config dir and start it")
  int monitor(@Parameters(paramLabel = "SERVICE") String service) throws Exception {
    return actions().run("monitor", List.of(service), false);
  }

  @Command(name = "forget", description = "drop a stopped service")
  int forget(@Parameters(paramLabel = "SERVICE") String service) throws Exception {
    return actions().run("forget", List.of(service), false);
  }

  @Command(name = "kill", description = "send a signal to a service's main process (default SIGTERM)")
  int kill(
      @Parameters(index = "0", paramLabel = "SERVICE") String service,
      @Parameters(index = "1", paramLabel = "SIGNAL", defaultValue = "SIGTERM", arity = "0..1", description = "default: ${DEFAULT-VALUE}") String signal)
      throws Exception {
    return actions().run("kill", List.of(service, signal), false);
  }

  @Command(name = "stats", description = "memory and CPU use of a service and its children")
  int stats(@Parameters(paramLabel = "SERVICE") String service) throws Exception {
    return actions().run("stats", List.of(service), false);
  }

  @Command(name = "log", description = "print the log buffer, then follow new lines")
  int log(
      @Option(names = {"-s", "--snapshot"}, description = "print the buffer and exit") boolean snapshot,
      @Option(names = {"-t", "--timestamps"}, description = "prefix each line with its time (RFC 3339 UTC, milliseconds)") boolean timestamps,
      @Option(names = "--json", description = "one JSON object per line: time, service, stream, msg") boolean json,
      @Parameters(paramLabel = "FILTER", arity = "0..1", description = "an exact service name") String filter)
      throws Exception {
    if (timestamps && json) throw new Failure("log: -t and --json cannot be combined (--json lines carry the time)");
    actions().log(snapshot, filter, json ? "json" : timestamps ? "time" : null);
    return 0;
  }

  @Command(name = "shutdown", description = "stop every service and power off (exit in a container)")
  int shutdown() throws Exception {
    return actions().run("shutdown", List.of(), false);
  }

  @Command(name = "reboot", description = "stop every service and reboot")
  int reboot() throws Exception {
    return actions().run("reboot", List.of(), false);
  }

  @Command(name = "proxy", description = "serve zinit's JSON-RPC over HTTP (token required) until interrupted")
  int proxy(
      @Option(names = {"-a", "--address"}, paramLabel = "ADDR", defaultValue = "127.0.0.1:8080", description = "listen address (default: ${DEFAULT-VALUE})") String address)
      throws Exception {
    return Proxy.run(socket(), address, out);
  }

}
