package zinit.os;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A java.io stream over an fd zinit owns, on that very fd (no second fd, no open): a service's
 * output pipe read through java.io's JNI read rather than an FFM downcall, whose call stub the JDK
 * generates at the first read and whose invoker chain C1 compiles while a fresh daemon's first
 * burst of output runs (bench/RESULTS.md, 2026-12-01).
 *
 * <p>java.io has no public way to wrap an fd number, so the {@link FileDescriptor}'s private
 * {@code fd} field is set, which needs {@code --add-opens java.base/java.io=ALL-UNNAMED}
 * (zinit-daemon.jvmopts); without it {@link #stream} answers null and the caller reads through
 * libc. java.io never closes such an fd: a {@link FileDescriptor} made by its public constructor
 * has no cleaner, a {@link FileInputStream} made from one registers none, and neither has a
 * finalizer; the stream must simply never be closed. zinit closes the fd itself, after {@link
 * #revoke}, so that a read through a stream kept by mistake fails ("Stream Closed") rather than
 * reading whatever file gets the fd's number next.
 */
final class BorrowedFd {
  private BorrowedFd() {}

  /** FileDescriptor.fd, or null when java.io is not open to zinit. */
  private static final VarHandle FD = find();

  private static VarHandle find() {
    try {
      return MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup())
          .findVarHandle(FileDescriptor.class, "fd", int.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // not opened (IllegalAccessException), or a JDK without the field
    }
  }

  /** True when {@link #stream} can make streams (java.io is open to zinit). */
  static boolean available() {
    return FD != null;
  }

  /**
   * A stream reading {@code fd}, which stays the caller's to close (after {@link #revoke}); never
   * close the stream itself. Null when java.io is not open to zinit.
   */
  static FileInputStream stream(int fd) {
    if (FD == null || fd < 0) return null;
    FileDescriptor d = new FileDescriptor();
    FD.set(d, fd);
    return new FileInputStream(d);
  }

  /** {@code in} reads nothing more (it fails): its fd is about to be closed. On the reading thread. */
  static void revoke(FileInputStream in) {
    try {
      FD.set(in.getFD(), -1);
    } catch (java.io.IOException e) {
      // getFD has no descriptor to give: the stream cannot read anyway
    }
  }
}
