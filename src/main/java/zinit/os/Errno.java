package zinit.os;

/** The errno values the policy layer handles by name. Numbers are Linux's (all architectures). */
final class Errno {
  private Errno() {}

  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int ESRCH = 3;
  static final int EINTR = 4;
  static final int ECHILD = 10;
  static final int EAGAIN = 11;
  static final int ENOMEM = 12;
  static final int EACCES = 13;
  static final int EBUSY = 16;
  static final int EEXIST = 17;
  static final int ENODEV = 19;
  static final int ENOTDIR = 20;
  static final int EINVAL = 22;
  static final int ENFILE = 23;
  static final int EMFILE = 24;
  static final int ENOSYS = 38;

  /** "ESRCH (No such process)". */
  static String describe(int errno) {
    String name = Libc.strerrorname_np(errno);
    String text = Libc.strerrordesc_np(errno);
    return (name == null ? "errno " + errno : name) + " (" + (text == null ? "unknown" : text) + ")";
  }
}
