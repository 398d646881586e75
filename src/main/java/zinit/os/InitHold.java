package zinit.os;

import sun.misc.Signal;

/**
 * The machine's init never exits: the kernel would panic, and the reason would scroll off the
 * console. Where zinit would end as the machine's init (it could not start: a bad argument on the
 * kernel's command line, a socket it cannot bind, a --main that names nothing; or it failed), it
 * holds instead, as systemd does when it cannot go on: no services, the reason on the console,
 * Ctrl-Alt-Del (SIGINT) reboots and SIGPWR powers off, both after releasing the filesystems
 * within the bound a shutdown has ({@link FinalMounts#releaseWithin}). Anywhere else (PID 1 of a
 * container's namespace included) nothing changes.
 */
// sun.misc.Signal: the JDK's only way to handle SIGINT (see zinit.daemon.Signals)
public final class InitHold {
  private InitHold() {}

  /** As the machine's init: holds until a signal reboots or powers off (does not return). Else returns. */
  public static void ifMachineInit(int exitCode) {
    if (!MachinePower.machineInit()) return;
    String failed = MachinePower.trapCtrlAltDel();
    if (SignalWait.blocked()) {
      SignalWait.handle(sig -> {
        if (sig == Flags.SIGINT || sig == Flags.SIGPWR) end(sig == Flags.SIGINT);
        else say(SignalWait.name(sig) + " ignored: Ctrl-Alt-Del reboots, SIGPWR powers off");
      });
    } else {
      for (String name : new String[] {"INT", "PWR"}) {
        Signal.handle(new Signal(name), sig -> end(name.equals("INT")));
      }
      say(SignalWait.UNBLOCKED);
    }
    // said once Ctrl-Alt-Del and the signals are zinit's
    say("zinit would exit (code " + exitCode + "), but as the machine's init it does not (the kernel would panic): "
        + "it holds, with no services; Ctrl-Alt-Del reboots, SIGPWR powers off");
    if (failed != null) say("Ctrl-Alt-Del stays the kernel's immediate reboot: " + failed);
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        // nothing ends the hold but a signal's reboot
      }
    }
  }

  private static void end(boolean restart) {
    say(restart ? "SIGINT received: rebooting" : "SIGPWR received: powering off");
    FinalMounts.releaseWithin(InitHold::say);
    MachinePower.reboot(restart);
  }

  private static void say(String line) {
    System.err.println("zinit: " + line);
    System.err.flush();
  }
}
