package zinit.daemon;

import sun.misc.Signal;
import zinit.os.Dispositions;
import zinit.os.SignalWait;
import zinit.supervisor.LogSink;
import zinit.supervisor.Supervisor;
import zinit.supervisor.ZinitException;

/**
 * What signals to zinit itself mean. In a container or as a plain supervisor, SIGTERM, SIGINT,
 * SIGHUP and SIGPWR shut down gracefully (as tini, s6-svscan and supervisord do). As PID 1 of a
 * machine, SIGINT is Ctrl-Alt-Del and reboots gracefully, SIGPWR (what LXC and Incus send a system
 * container's init to stop it, and a UPS daemon to init) powers off gracefully; SIGTERM and SIGHUP
 * are ignored (the kernel and stray scripts send them; only `zinit shutdown`/`reboot` power the
 * machine off).
 */
// They are taken by zinit's own thread when the launcher could block them (SignalWait), else by
// the JDK's handlers: sun.misc.Signal (module jdk.unsupported) is the JDK's only way to handle
// SIGTERM, SIGINT and SIGHUP; javac's notice about it is the one warning of the build and cannot
// be suppressed.
final class Signals {
  private Signals() {}

  static void install(Supervisor supervisor, boolean systemPid1, LogSink log) {
    if (SignalWait.blocked()) {
      // One thread, made now, takes every stop signal (see SignalWait)
      SignalWait.handle(sig -> received(SignalWait.name(sig), supervisor, systemPid1, log));
      return;
    }
    log.zinit(SignalWait.UNBLOCKED);
    for (String name : Dispositions.resetIgnoredStopSignals()) {
      log.zinit(name + " was ignored (inherited, e.g. from a shell's '&'); reset so it can stop zinit");
    }
    for (String name : new String[] {"TERM", "INT", "HUP", "PWR"}) {
      Signal.handle(new Signal(name), sig -> received("SIG" + name, supervisor, systemPid1, log));
    }
  }

  /** Starts the shutdown, not waiting for it: the thread that took the signal may take the next. */
  private static void received(String name, Supervisor supervisor, boolean systemPid1, LogSink log) {
    if (systemPid1 && !name.equals("SIGINT") && !name.equals("SIGPWR")) {
      log.zinit(name + " ignored as PID 1 (use zinit shutdown)");
      return;
    }
    boolean reboot = systemPid1 && name.equals("SIGINT");
    log.zinit(name + " received: " + (reboot ? "rebooting" : systemPid1 ? "powering off" : "shutting down"));
    try {
      supervisor.requestShutdown(reboot);
    } catch (ZinitException e) {
      log.zinit("shutdown failed: " + e.getMessage());
    }
  }
}
