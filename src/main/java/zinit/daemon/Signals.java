package zinit.daemon;

import sun.misc.Signal;
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
// sun.misc.Signal (module jdk.unsupported) is the JDK's only way to handle SIGTERM, SIGINT and
// SIGHUP; javac's notice about it is the one warning of the build and cannot be suppressed.
final class Signals {
  private Signals() {}

  static void install(Supervisor supervisor, boolean systemPid1, LogSink log) {
    for (String name : zinit.os.Dispositions.resetIgnoredStopSignals()) {
      log.zinit(name + " was ignored (inherited, e.g. from a shell's '&'); reset so it can stop zinit");
    }
    for (String name : new String[] {"TERM", "INT", "HUP", "PWR"}) {
      Signal.handle(
          new Signal(name),
          sig -> {
            if (systemPid1 && !name.equals("INT") && !name.equals("PWR")) {
              log.zinit("SIG" + name + " ignored as PID 1 (use zinit shutdown)");
              return;
            }
            boolean reboot = systemPid1 && name.equals("INT");
            log.zinit("SIG" + name + " received: "
                + (reboot ? "rebooting" : systemPid1 ? "powering off" : "shutting down"));
            // The JDK runs each signal's handler on a thread of its own (jdk.internal.misc.Signal
            // .dispatch), so this one may block until shutdown is done; a second signal meanwhile
            // gets its own thread and hears "already in progress".
            try {
              supervisor.shutdown(reboot);
            } catch (ZinitException e) {
              log.zinit("shutdown failed: " + e.getMessage());
            }
          });
    }
  }
}
