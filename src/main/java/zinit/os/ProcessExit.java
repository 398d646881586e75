package zinit.os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Ends zinit with _exit(2) once everything is done. The JVM's own exit waits up to 300 ms for
 * every thread blocked in a native call (the JDK's I/O pollers among them) before it lets the
 * process go; a supervisor whose shutdown is already verified, or a CLI that has printed its
 * answer, has nothing left to wait for.
 *
 * <p>Bound here rather than in {@link Libc} so that the CLI, which needs only this, does not pay
 * for binding every libc function at start-up.
 */
public final class ProcessExit {
  private ProcessExit() {}

  @SuppressWarnings("restricted") // native access is enabled for zinit's jar (see bin/zinit)
  private static final class Holder {
    static final MethodHandle EXIT =
        Linker.nativeLinker()
            .downcallHandle(
                Linker.nativeLinker().defaultLookup().findOrThrow("_exit"),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
  }

  /** Builds the binding ahead of time (a daemon's warm-up), so the exit itself does not pay it. */
  static void bind() {
    java.util.Objects.requireNonNull(Holder.EXIT);
  }

  /** Flushes System.out and System.err, then _exit(status). Never returns. */
  public static void now(int status) {
    System.out.flush();
    System.err.flush();
    try {
      Holder.EXIT.invokeExact(status);
    } catch (Throwable t) {
      // Binding failed: the JVM's own exit is slower but just as correct.
      System.exit(status);
    }
    throw new IllegalStateException("_exit returned");
  }
}
