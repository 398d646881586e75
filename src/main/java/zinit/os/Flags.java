package zinit.os;

/** Linux x86-64/arm64 constants for the raw calls in {@link Libc}. */
final class Flags {
  private Flags() {}

  static final int O_RDONLY = 0;
  static final int O_WRONLY = 1;
  static final int O_RDWR = 2;
  static final int O_CLOEXEC = 0x80000;
  static final int O_NONBLOCK = 0x800;
  static final int O_DIRECTORY = 0x10000;

  static final int LOCK_EX = 2;
  static final int LOCK_NB = 4;

  static final short POSIX_SPAWN_SETSIGDEF = 0x04;
  static final short POSIX_SPAWN_SETSIGMASK = 0x08;
  static final short POSIX_SPAWN_SETSID = 0x80;

  static final int P_ALL = 0;
  static final int P_PID = 1;
  static final int P_PIDFD = 3;
  static final int WNOHANG = 1;
  static final int WEXITED = 4;
  static final int WNOWAIT = 0x01000000;
  static final int CLD_EXITED = 1;
  static final int CLD_KILLED = 2;
  static final int CLD_DUMPED = 3;

  static final int PR_SET_CHILD_SUBREAPER = 36;

  static final int EPOLL_CLOEXEC = 0x80000;
  static final int EPOLL_CTL_ADD = 1;
  static final int EPOLL_CTL_DEL = 2;
  static final int EPOLL_CTL_MOD = 3;
  static final int EPOLLIN = 0x001;
  static final int EPOLLPRI = 0x002;
  static final int EPOLLERR = 0x008;
  static final int EPOLLHUP = 0x010;
  static final int EPOLLET = 1 << 31;

  static final int EFD_CLOEXEC = 0x80000;
  static final int EFD_NONBLOCK = 0x800;

  static final short POLLIN = 0x001;
  static final short POLLPRI = 0x002;

  static final int RB_AUTOBOOT = 0x01234567;
  static final int RB_POWER_OFF = 0x4321fedc;
  static final int RB_DISABLE_CAD = 0;

  static final int RLIMIT_NOFILE = 7;

  static final int SC_CLK_TCK = 2;
  static final int SC_PAGESIZE = 30;

  static final int SIGHUP = 1;
  static final int SIGINT = 2;
  static final int SIGKILL = 9;
  static final int SIGTERM = 15;
  static final int SIGCHLD = 17;
  static final int SIGCONT = 18;
  static final int SIGPWR = 30;

  /** struct sigaction of glibc x86-64 is 152 bytes, sa_handler first; rounded up. */
  static final long SIGACTION_SIZE = 256;
  static final long SIG_IGN = 1;

  /** Sizes of opaque glibc types, rounded up generously (glibc x86-64: 336 and 80; sigset 128). */
  static final long SPAWNATTR_SIZE = 512;
  static final long FILE_ACTIONS_SIZE = 256;
  static final long SIGSET_SIZE = 128;
  static final long SIGINFO_SIZE = 128;
  static final long SIGINFO_PID = 16;
  static final long SIGINFO_STATUS = 24;
  static final long SIGINFO_CODE = 8;
}
