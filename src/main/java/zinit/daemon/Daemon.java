package zinit.daemon;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import zinit.config.ConfigException;
import zinit.config.ConfigLoader;
import zinit.config.Environments;
import zinit.config.ServiceConfig;
import zinit.config.ServiceFiles;
import zinit.logs.FileLog;
import zinit.logs.LineBatch;
import zinit.logs.LogRing;
import zinit.logs.ServiceLogs;
import zinit.metrics.Metrics;
import zinit.os.ApiMounts;
import zinit.os.FdLimit;
import zinit.os.FinalMounts;
import zinit.os.MachinePower;
import zinit.os.NativeProcessHost;
import zinit.os.NetworkProbes;
import zinit.os.SpareFds;
import zinit.rpc.RpcServer;
import zinit.supervisor.ConfigSource;
import zinit.supervisor.LogSink;
import zinit.supervisor.LoopScheduler;
import zinit.supervisor.Supervisor;
import zinit.supervisor.ZinitException;

/** `zinit init`: wires the native host, the supervisor and the control plane, then runs. */
public final class Daemon {
  private Daemon() {}

  // fds held back so that root can still connect when services or clients have taken all others
  private static final int FD_RESERVE = 8;
  /** When start-up's freed native memory is back in malloc's hands: see trimNativeHeap. */
  private static final Duration NATIVE_HEAP_TRIM_AFTER = Duration.ofSeconds(10);

  /** Runs until shutdown; returns the process exit code (or does not return after reboot(2)). */
  public static int run(DaemonOptions options) {
    try {
      return serve(options);
    } finally {
      ERR.flush(ERR_FLUSH_MILLIS);
    }
  }

  /** As the machine's init, the socket's directory is made when missing (a root without /var/run). */
  private static void socketDirAsInit(Path socket, LogSink sink) {
    Path dir = socket.toAbsolutePath().getParent();
    if (dir == null || Files.exists(dir)) return;
    try {
      Files.createDirectories(dir);
      sink.zinit("socket dir " + dir + " did not exist; created it");
    } catch (IOException e) {
      sink.zinit("cannot create socket dir " + dir + ": " + e.getMessage());
    }
  }

  private static int serve(DaemonOptions options) {
    // Before anything reads /proc or looks for cgroups. Logged once the log exists.
    List<String> mounted = new ArrayList<>();
    if (!options.container()) ApiMounts.mountMissing(mounted::add);
    NativeProcessHost.prepareSpawns();
    // On threads of their own while this one raises limits, binds the socket and sets up the host:
    // the JDK's set-up (Preload) and the service files, each needed only before the first spawn.
    FutureTask<Void> preload = background("zinit-preload", () -> { Preload.jdk(); return null; });
    List<String> loadWarnings = new ArrayList<>();
    FutureTask<ConfigLoader.LoadResult> loading =
        Files.isDirectory(options.configDir())
            ? background("zinit-config", () -> ConfigLoader.loadDir(options.configDir(), loadWarnings::add))
            : null;
    LogRing ring = new LogRing(options.bufferLines());
    ServiceLogs serviceLogs =
        new ServiceLogs(ring, options.logDir(), msg -> zinitMessage(ring, msg), System::currentTimeMillis);
    RingSink sink = new RingSink(ring, serviceLogs);
    mounted.forEach(sink::zinit);
    String kernelWords = System.getenv("ZINIT_KERNEL_WORDS"); // set by the launcher as PID 1
    if (kernelWords != null) sink.zinit("the kernel's words for init, no zinit command, left out: " + kernelWords);
    long fdLimit = FdLimit.raise(sink::zinit);
    SpareFds reserve = SpareFds.hold(FD_RESERVE);
    // The socket first: when zinit cannot serve, no service (nor a oneshot's side effect) starts.
    RpcServer.Bound socket;
    if (!options.container() && MachinePower.machineInit()) socketDirAsInit(options.socket(), sink);
    try {
      socket = RpcServer.bind(options.socket(), options.socketGroup());
    } catch (IOException e) {
      writeErr("zinit: " + e.getMessage() + "\n");
      return 1;
    }
    if (!configDir(options.configDir(), sink)) {
      socket.release();
      return 1;
    }
    // Holding the socket proves no live zinit serves on it: what a dead one left running goes now.
    try {
      NativeProcessHost.recoverLeftovers(socket.socket(), sink::zinit);
    } catch (RuntimeException e) {
      sink.zinit("crash recovery failed: " + e);
    }
    boolean cgroups = options.useCgroups() && NativeProcessHost.cgroupsAvailable();
    NativeProcessHost host =
        NativeProcessHost.create(
            new NativeProcessHost.Options(
                cgroups, instanceName(), msg -> debug(options, sink, msg), socket.socket(), sink::zinit));
    host.keepWhole(reserve);
    host.shieldFromOomKiller(sink::zinit);
    ServiceFiles files = new ServiceFiles(options.configDir());
    Map<String, String> baseEnv = Environments.base(Environments.ETC_ENVIRONMENT, sink::zinit);
    LoopScheduler loop = new LoopScheduler();
    Supervisor supervisor =
        new Supervisor(host, loop, sink, new FileConfigs(files, baseEnv, sink), new NetworkProbes());

    boolean pid1 = host.isPid1();
    Signals.install(supervisor, pid1 && !options.container(), sink);
    if (pid1 && !options.container()) {
      String failed = host.trapCtrlAltDel();
      if (failed != null) sink.zinit("Ctrl-Alt-Del stays the kernel's immediate reboot: " + failed);
    }
    // Every service is known before the socket answers, so no client sees a partial list.
    ConfigLoader.LoadResult loaded;
    if (loading != null) {
      loaded = join(loading);
      loadWarnings.forEach(sink::zinit);
    } else {
      loaded = ConfigLoader.loadDir(options.configDir(), sink::zinit);
    }
    for (ConfigException e : loaded.errors()) {
      sink.zinit("not loaded: " + e.getMessage());
      String name = e.serviceOrNull();
      supervisor.loadFailed(name != null ? name : e.file().substring(e.file().lastIndexOf('/') + 1), e.getMessage());
    }
    if (options.mainService() != null) {
      if (!loaded.services().containsKey(options.mainService())) {
        writeErr("zinit: --main " + options.mainService() + ": no such service in " + options.configDir() + "\n");
        host.close();
        loop.close();
        return 1;
      }
      supervisor.watchMain(options.mainService());
    }
    join(preload); // before any service takes fds (see Preload)
    supervisor.load(loaded.services().values());
    // On the warm-up's thread, which the services' start does not wait for (in the preload, which
    // it does, a launch of 100 took 60-150 ms longer); a class it fails to initialise fails where
    // it is first used, as without it.
    host.warmUp(StopPathClasses::initialise);
    loop.schedule(NATIVE_HEAP_TRIM_AFTER, host::trimNativeHeap);

    RpcServer rpc =
        RpcServer.start(
            socket,
            supervisor,
            ring,
            files,
            new RpcServer.Options(
                options.socketGroup(), sink::zinit, fdLimit, reserve, new Metrics(supervisor, serviceLogs)));
    sink.zinit(
        "zinit listening on "
            + options.socket()
            + (cgroups ? " (cgroup tracking)" : " (no cgroups: process-group tracking)")
            + "; try: "
            + System.getenv().getOrDefault("ZINIT_LAUNCHER", "zinit")
            + " -s "
            + options.socket()
            + " list");

    List<Integer> left = supervisor.terminated().join();
    rpc.close();
    // the host's I/O thread hands over what is left in the pipes as it closes; then files close
    host.close();
    serviceLogs.close();
    host.sync();
    loop.close();
    if (pid1 && !options.container()) {
      FinalMounts.releaseWithin(sink::zinit);
      sink.zinit(supervisor.rebootRequested() ? "rebooting" : "powering off");
      ERR.flush(ERR_FLUSH_MILLIS);
      host.reboot(supervisor.rebootRequested());
    }
    sink.zinit(left.isEmpty() ? "shutdown complete" : "shutdown left processes " + left);
    if (supervisor.mainExit().isDone()) {
      int code = Supervisor.exitCode(supervisor.mainExit().join());
      sink.zinit("exiting with the main service's exit code " + code);
      return code;
    }
    return left.isEmpty() ? 0 : 1;
  }

  /** Runs {@code work} on a new daemon thread; {@link #join} gets its result. */
  private static <T> FutureTask<T> background(String name, Callable<T> work) {
    FutureTask<T> task = new FutureTask<>(work);
    Thread.ofPlatform().daemon().name(name).start(task);
    return task;
  }

  /** The task's result, or what it threw, rethrown here. */
  private static <T> T join(FutureTask<T> task) {
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error r) throw r;
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    }
  }

  /** Like the original, a missing config dir is created: services can be monitored into it later. */
  private static boolean configDir(Path dir, LogSink sink) {
    if (Files.isDirectory(dir)) return true;
    try {
      Files.createDirectories(dir);
      sink.zinit("config dir " + dir + " did not exist; created it (no services yet)");
      return true;
    } catch (IOException e) {
      String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.toString();
      if (e instanceof java.nio.file.AccessDeniedException) why = "permission denied";
      if (e instanceof java.nio.file.FileAlreadyExistsException) why = "it exists and is not a directory";
      writeErr("zinit: cannot create config dir " + dir + ": " + why + "\n");
      return false;
    }
  }

  /** Unique per run: two zinits (also PID 1 of two namespaces) never share a cgroup. */
  private static String instanceName() {
    return Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 40);
  }

  private static void debug(DaemonOptions options, LogSink sink, String message) {
    if (options.debug()) sink.zinit(message);
  }

  /**
   * Service output into the ring (and the files of {@code log: file} services); zinit's own
   * messages into the ring and onto stderr.
   */
  private record RingSink(LogRing ring, ServiceLogs logs) implements LogSink {
    @Override
    public void line(String unit, boolean stderr, String text) {
      logs.line(unit, stderr, text);
    }

    @Override
    public void lines(String unit, boolean stderr, LineBatch batch) {
      logs.lines(unit, stderr, batch);
    }

    @Override
    public void zinit(String message) {
      zinitMessage(ring, message);
    }

    @Override
    public void mark(ServiceConfig config, String text) {
      zinit(config.name() + ": " + text);
      logs.mark(config, text);
    }

    @Override
    public void forgotten(String name) {
      logs.release(name);
    }

    @Override
    public Output output(ServiceConfig config) {
      if (config.logFile() == null) return LogSink.super.output(config);
      FileLog file = logs.file(config);
      return new Output() {
        @Override
        public void line(String unit, boolean stderr, String text) {
          logs.line(file, unit, stderr, text);
        }

        @Override
        public void lines(String unit, boolean stderr, LineBatch batch) {
          logs.lines(file, unit, stderr, batch);
        }

        @Override
        public boolean flush(Runnable resume) {
          return file.flush(resume);
        }
      };
    }
  }

  private static void zinitMessage(LogRing ring, String message) {
    ring.append(LogRing.ZINIT, false, message);
    writeErr("zinit: " + message + "\n");
  }

  /**
   * zinit's stderr, a line per write(2) (System.err's encoder and locks cost a fresh zinit ~20-50 us
   * per line), on a thread of its own: a stderr that takes nothing must not stop the loop thread,
   * which logs every start and exit.
   */
  private static final StderrLines ERR = new StderrLines(new FileOutputStream(FileDescriptor.err), StderrLines.CAPACITY);

  /** How long the end of zinit waits for its last lines to reach a slow or stalled stderr. */
  private static final long ERR_FLUSH_MILLIS = 1000;

  private static void writeErr(String line) {
    ERR.write(line);
  }

  /** `monitor` reads `<name>.yaml` from the config dir; services get the base env plus theirs. */
  private record FileConfigs(ServiceFiles files, Map<String, String> baseEnv, LogSink sink)
      implements ConfigSource {
    @Override
    public ServiceConfig load(String name) throws ZinitException {
      try {
        return files.read(name, sink::zinit);
      } catch (IllegalArgumentException e) {
        throw new ZinitException.ConfigError(name, e.getMessage());
      } catch (java.nio.file.NoSuchFileException e) {
        throw new ZinitException.ConfigError(name, "no service file " + e.getFile());
      } catch (ConfigException e) {
        throw new ZinitException.ConfigError(name, e.getMessage());
      }
    }

    @Override
    public ConfigLoader.LoadResult loadAll() {
      return ConfigLoader.loadDir(files.dir(), sink::zinit);
    }

    @Override
    public Map<String, String> environment(ServiceConfig config) {
      return Environments.forService(baseEnv, config);
    }
  }
}
