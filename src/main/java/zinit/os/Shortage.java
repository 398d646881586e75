package zinit.os;

import java.io.IOException;
import java.util.Set;

/**
 * Recognises failures that mean "not now" (EMFILE, ENFILE, EAGAIN, ENOMEM) rather than "never",
 * in an {@link OsException}'s errno or in the reason the JDK gives for an I/O error, so a spawn
 * that failed for them is retried.
 */
final class Shortage {
  private Shortage() {}

  private static final Set<Integer> ERRNOS = Set.of(Errno.EMFILE, Errno.ENFILE, Errno.EAGAIN, Errno.ENOMEM);

  static boolean errno(int errno) {
    return ERRNOS.contains(errno);
  }

  static boolean in(Throwable t) {
    return of(t) != 0;
  }

  /** The shortage's errno found in {@code t} or its causes, or 0 when there is none. */
  static int of(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof OsException o && errno(o.errno())) return o.errno();
      if (c instanceof IOException && c.getMessage() != null) {
        int e = describedShortage(c.getMessage());
        if (e != 0) return e;
      }
    }
    return 0;
  }

  /**
   * {@code message} naming the shortage in {@code t} ("EMFILE: ..."), as the JDK's reasons give
   * only strerror's text and the user (and the retry's status) should see which one it was.
   */
  static String named(String message, Throwable t) {
    int e = of(t);
    String name = e == 0 ? null : Libc.strerrorname_np(e);
    return name == null || message.contains(name) ? message : name + ": " + message;
  }

  // The JDK's I/O errors carry strerror's text, not the errno.
  private static int describedShortage(String message) {
    for (int e : ERRNOS) {
      String text = Libc.strerrordesc_np(e);
      if (text != null && message.contains(text)) return e;
    }
    return 0;
  }
}
