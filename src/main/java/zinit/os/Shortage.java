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
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof OsException o && errno(o.errno())) return true;
      if (c instanceof IOException && c.getMessage() != null && describesShortage(c.getMessage())) return true;
    }
    return false;
  }

  // The JDK's I/O errors carry strerror's text, not the errno.
  private static boolean describesShortage(String message) {
    for (int e : ERRNOS) {
      String text = Libc.strerrordesc_np(e);
      if (text != null && message.contains(text)) return true;
    }
    return false;
  }
}
