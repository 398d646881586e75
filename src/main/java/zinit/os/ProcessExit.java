package zinit.os;

/**
 * Ends zinit with _exit(2) once everything is done. The JVM's own exit waits up to 300 ms for
 * every thread blocked in a native call (the JDK's I/O pollers among them) before it lets the
 * process go; a supervisor whose shutdown is already verified, or a CLI that has printed its
 * answer, has nothing left to wait for.
 */
public final class ProcessExit {
  private ProcessExit() {}

  /** Builds the binding ahead of time (a daemon's warm-up), so the exit itself does not pay it. */
  static void bind() {
    Libc.bindExit();
  }

  /** Flushes System.out and System.err, then _exit(status) (as the machine's init: {@link InitHold}). Never returns. */
  public static void now(int status) {
    System.out.flush();
    System.err.flush();
    InitHold.ifMachineInit(status);
    try {
      Libc._exit(status);
    } catch (RuntimeException | Error e) {
      // Binding failed: the JVM's own exit is slower but just as correct.
      System.exit(status);
    }
    throw new IllegalStateException("_exit returned");
  }
}
