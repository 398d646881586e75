package zinit.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import zinit.config.ConfigException;
import zinit.config.ConfigLoader;
import zinit.config.Environments;
import zinit.config.ServiceConfig;
import zinit.config.ServiceFiles;
import zinit.logs.LogRing;
import zinit.os.NativeProcessHost;
import zinit.os.NetworkProbes;
import zinit.rpc.RpcServer;
import zinit.supervisor.ConfigSource;
import zinit.supervisor.LogSink;
import zinit.supervisor.LoopScheduler;
import zinit.supervisor.Supervisor;
import zinit.supervisor.ZinitException;

/** `zinit init`: wires the native host, the supervisor and the control plane, then runs. */
public final class Daemon {
  private Daemon() {}

  /** Runs until shutdown; returns the process exit code (or does not return after reboot(2)). */
  public static int run(DaemonOptions options) {
    LogRing ring = new LogRing(options.bufferLines());
    LogSink sink = new RingSink(ring);
    if (!Files.isDirectory(options.configDir())) {
      System.err.println("zinit: config dir " + options.configDir() + " does not exist");
      return 1;
    }
    try {
      RpcServer.refuseIfLive(options.socket());
    } catch (IOException e) {
      System.err.println("zinit: " + e.getMessage());
      return 1;
    }
    boolean cgroups = options.useCgroups() && NativeProcessHost.cgroupsAvailable();
    NativeProcessHost host =
        NativeProcessHost.create(
            new NativeProcessHost.Options(cgroups, instanceName(), msg -> debug(options, sink, msg)));
    ServiceFiles files = new ServiceFiles(options.configDir());
    Map<String, String> baseEnv = Environments.base(Environments.ETC_ENVIRONMENT, sink::zinit);
    LoopScheduler loop = new LoopScheduler();
    Supervisor supervisor =
        new Supervisor(host, loop, sink, new FileConfigs(files, baseEnv, sink), new NetworkProbes());

    boolean pid1 = host.isPid1();
    Signals.install(supervisor, pid1 && !options.container(), sink);
    // Every service is known before the socket answers, so no client sees a partial list.
    ConfigLoader.LoadResult loaded = ConfigLoader.loadDir(options.configDir(), sink::zinit);
    for (ConfigException e : loaded.errors()) sink.zinit("not loaded: " + e.getMessage());
    if (options.mainService() != null) {
      if (!loaded.services().containsKey(options.mainService())) {
        System.err.println("zinit: --main " + options.mainService() + ": no such service in " + options.configDir());
        host.close();
        loop.close();
        return 1;
      }
      supervisor.watchMain(options.mainService());
    }
    supervisor.load(loaded.services().values());
    host.warmUp();

    RpcServer rpc;
    try {
      rpc =
          RpcServer.start(
              options.socket(),
              supervisor,
              ring,
              files,
              new RpcServer.Options(options.socketGroup(), sink::zinit));
    } catch (IOException e) {
      System.err.println("zinit: cannot serve on " + options.socket() + ": " + e.getMessage());
      shutdownQuietly(supervisor, sink);
      host.close();
      loop.close();
      return 1;
    }
    sink.zinit(
        "zinit listening on "
            + options.socket()
            + (cgroups ? " (cgroup tracking)" : " (no cgroups: process-group tracking)")
            + "; try: bin/zinit -s "
            + options.socket()
            + " list");

    List<Integer> left = supervisor.terminated().join();
    rpc.close();
    host.sync();
    host.close();
    loop.close();
    if (pid1 && !options.container()) {
      sink.zinit(supervisor.rebootRequested() ? "rebooting" : "powering off");
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

  private static void shutdownQuietly(Supervisor supervisor, LogSink sink) {
    try {
      supervisor.shutdown(false);
    } catch (ZinitException e) {
      sink.zinit("shutdown failed: " + e.getMessage());
    }
  }

  /** Unique per run: two zinits (also PID 1 of two namespaces) never share a cgroup. */
  private static String instanceName() {
    return Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 40);
  }

  private static void debug(DaemonOptions options, LogSink sink, String message) {
    if (options.debug()) sink.zinit(message);
  }

  /** Service output into the ring; zinit's own messages into the ring and onto stderr. */
  private record RingSink(LogRing ring) implements LogSink {
    @Override
    public void line(String unit, boolean stderr, String text) {
      ring.append(unit, stderr, text);
    }

    @Override
    public void zinit(String message) {
      ring.append(LogRing.ZINIT, false, message);
      System.err.println("zinit: " + message);
    }
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
