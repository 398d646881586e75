package zinit.os;

import java.util.Optional;

/**
 * A pidfd: a handle on one process that survives pid reuse. Signals sent through it reach that
 * process or nobody (ESRCH once it has exited), never a newer process that got the same number.
 */
final class Pidfd implements AutoCloseable {
  private final int pid;
  private final int fd;
  private boolean closed;

  private Pidfd(int pid, int fd) {
    this.pid = pid;
    this.fd = fd;
  }

  /** Opens a pidfd; throws when the process is gone or the kernel refuses. */
  static Pidfd open(int pid) {
    return new Pidfd(pid, Libc.pidfd_open(pid, 0).asIntOrThrow("pidfd_open(" + pid + ")"));
  }

  /** Opens a pidfd, or empty when the process is already gone (ESRCH: nothing to hold on to). */
  static Optional<Pidfd> tryOpen(int pid) {
    Libc.Ret r = Libc.pidfd_open(pid, 0);
    if (!r.failed()) return Optional.of(new Pidfd(pid, r.asInt()));
    if (r.errno() == Errno.ESRCH) return Optional.empty();
    throw new OsException("pidfd_open(" + pid + ")", r.errno());
  }

  int pid() {
    return pid;
  }

  int fd() {
    return fd;
  }

  /** Whether the process has exited (the pidfd polls readable then), without blocking. */
  synchronized boolean exited() {
    if (closed) return true;
    return Waits.pollIn(new int[] {fd}, 0) > 0;
  }

  /**
   * Whether the process is an exited child of ours that nobody has reaped yet: waitid(P_PIDFD,
   * WNOHANG|WNOWAIT) reports it; ECHILD means reaped already or not our child.
   */
  synchronized boolean unreapedZombie() {
    if (closed) return false;
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      java.lang.foreign.MemorySegment info = arena.allocate(Flags.SIGINFO_SIZE);
      Libc.Ret r = Libc.waitid(Flags.P_PIDFD, fd, info, Flags.WEXITED | Flags.WNOHANG | Flags.WNOWAIT);
      if (r.failed()) {
        if (r.errno() == Errno.ECHILD) return false;
        throw new OsException("waitid(P_PIDFD, " + pid + ")", r.errno());
      }
      return info.get(java.lang.foreign.ValueLayout.JAVA_INT, Flags.SIGINFO_PID) != 0;
    }
  }

  /**
   * Sends {@code signal}; false when the process has exited (ESRCH: it exited, maybe was reaped;
   * the pidfd guarantees no other process is hit).
   */
  synchronized boolean trySignal(int signal) {
    if (closed) return false; // the unit is finished; the fd number may already be another file
    Libc.Ret r = Libc.pidfd_send_signal(fd, signal, java.lang.foreign.MemorySegment.NULL, 0);
    if (!r.failed()) return true;
    if (r.errno() == Errno.ESRCH) return false;
    throw new OsException("pidfd_send_signal(" + pid + ", " + signal + ")", r.errno());
  }

  /** Sends {@code signal}; throws OsException (ESRCH included) when it cannot be delivered. */
  synchronized void signal(int signal) {
    if (closed) throw new IllegalStateException("pidfd of " + pid + " is closed");
    Libc.pidfd_send_signal(fd, signal, java.lang.foreign.MemorySegment.NULL, 0)
        .orThrow("pidfd_send_signal(" + pid + ", " + signal + ")");
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    Fds.close(fd);
  }
}
