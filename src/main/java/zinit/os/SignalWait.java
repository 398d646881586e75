package zinit.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.IntConsumer;

/**
 * zinit's stop signals (SIGHUP, SIGINT, SIGTERM, SIGPWR) taken by one thread made at start, not by
 * the JDK's handlers: the JDK runs each caught signal on a thread it makes when the signal comes
 * (jdk.internal.misc.Signal.dispatch), and when a service has taken every process slot zinit shares
 * with it (a container's pids limit), that thread cannot be made and the signal is lost: `docker
 * stop` then ended in SIGKILL, the services killed without their grace.
 *
 * <p>The launcher starts the daemon's JVM with these signals blocked (`env --block-signal`, which
 * every thread inherits) and ignored (so the JVM neither installs its handlers for SIGHUP, SIGINT
 * and SIGTERM nor unblocks them in its threads): a signal sent then waits, pending, until this
 * thread's sigwaitinfo(2) takes it. Without GNU env's --block-signal (a minimal root), the
 * launcher starts the JVM as before and zinit uses the JDK's handlers ({@link #blocked} false).
 *
 * <p>The launcher blocks SIGCHLD as well (never ignores it: the kernel would then reap zinit's
 * children itself), but it is not taken here: the reaper takes it, on its own thread, only while it
 * needs it ({@link Reaper}). Taken here it would wake this thread at every child's exit.
 */
public final class SignalWait {
  private SignalWait() {}

  /** The signals the launcher blocks, by number. */
  static final int[] STOP_SIGNALS = {Flags.SIGHUP, Flags.SIGINT, Flags.SIGTERM, Flags.SIGPWR};

  private static final int SIG_BLOCK = 0;
  /** siginfo_t: 128 bytes. */
  private static final long SIGINFO_SIZE = 128;

  /** What the log says when the launcher could not block the stop signals. */
  public static final String UNBLOCKED =
      "stop signals go to the JDK's handlers (no GNU env --block-signal for the launcher): one that comes"
          + " while no thread can be made is lost";

  private static volatile IntConsumer handler;
  private static Thread taker; // guarded by the class

  /** Whether every stop signal is blocked in this thread (so, from the launcher, in every thread). */
  public static boolean blocked() {
    return blockedHere(STOP_SIGNALS);
  }

  /**
   * Whether SIGCHLD is blocked in this thread: from the launcher, in every thread (the JVM unblocks
   * only the signals it handles itself), so that a child's exit leaves it pending, for sigwaitinfo.
   */
  static boolean childSignalBlocked() {
    return blockedHere(Flags.SIGCHLD);
  }

  /** sigwaitinfo's set of just {@code sig}, allocated in {@code arena}. */
  static MemorySegment setOf(Arena arena, int sig) {
    MemorySegment set = arena.allocate(Flags.SIGSET_SIZE, 8);
    set.set(ValueLayout.JAVA_LONG, 0, bit(sig));
    return set;
  }

  private static boolean blockedHere(int... signals) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mask = arena.allocate(Flags.SIGSET_SIZE, 8);
      int err = Libc.pthread_sigmask(SIG_BLOCK, MemorySegment.NULL, mask); // reads, changes nothing
      if (err != 0) throw new OsException("pthread_sigmask", err);
      long bits = mask.get(ValueLayout.JAVA_LONG, 0);
      for (int sig : signals) {
        if ((bits & bit(sig)) == 0) return false;
      }
      return true;
    }
  }

  /**
   * Hands the stop signals, one at a time, to {@code handler} (their number), on the one thread
   * that takes them, started by the first call; a later call replaces the handler (the held
   * machine's init replaces the daemon's). The handler must not wait long, or a later signal waits
   * for it. Only when {@link #blocked}.
   */
  public static synchronized void handle(IntConsumer handler) {
    SignalWait.handler = handler;
    if (taker != null) return;
    MemorySegment set = Arena.global().allocate(Flags.SIGSET_SIZE, 8);
    long bits = 0;
    for (int sig : STOP_SIGNALS) bits |= bit(sig);
    set.set(ValueLayout.JAVA_LONG, 0, bits);
    MemorySegment info = Arena.global().allocate(SIGINFO_SIZE, 8);
    taker = Thread.ofPlatform().name("zinit-signals").daemon().start(() -> {
      while (true) {
        Libc.Ret r = Libc.sigwaitinfo(set, info);
        if (r.failed()) {
          if (r.errno() == Errno.EINTR) continue;
          throw new OsException("sigwaitinfo", r.errno());
        }
        try {
          SignalWait.handler.accept(r.asInt());
        } catch (RuntimeException | Error e) { // the next signal must still be taken
          System.err.println("zinit: handling " + name(r.asInt()) + " failed: " + e);
        }
      }
    });
  }

  /** SIGHUP, SIGINT, ... as named in logs. */
  public static String name(int sig) {
    return switch (sig) {
      case Flags.SIGHUP -> "SIGHUP";
      case Flags.SIGINT -> "SIGINT";
      case Flags.SIGTERM -> "SIGTERM";
      case Flags.SIGPWR -> "SIGPWR";
      default -> "signal " + sig;
    };
  }

  private static long bit(int sig) {
    return 1L << (sig - 1);
  }
}
