package zinit.os;

import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * An exclusive flock(2) on a base cgroup's directory, held by the zinit that created it for as
 * long as it lives (the kernel drops it when the process dies, however it dies). Crash recovery
 * takes a cgroup for a dead zinit's only when it can take this lock too: a live zinit in another
 * PID namespace, whose pid and start time mean nothing here, still holds it.
 *
 * <p>The fd is close-on-exec, so no service inherits the lock and keeps it past zinit's death.
 */
final class CgroupLock implements AutoCloseable {
  /** What a try found. */
  enum Outcome {
    TAKEN,
    HELD_BY_ANOTHER,
    UNSUPPORTED
  }

  private final int fd; // -1 when not taken
  final Outcome outcome;
  final String detail;

  private CgroupLock(int fd, Outcome outcome, String detail) {
    this.fd = fd;
    this.outcome = outcome;
    this.detail = detail;
  }

  /** Tries, without waiting, to lock {@code dir}. */
  static CgroupLock tryTake(Path dir) {
    int fd;
    try (Arena arena = Arena.ofConfined()) {
      Libc.Ret open = Libc.open(arena.allocateFrom(dir.toString()), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
      if (open.failed()) return new CgroupLock(-1, Outcome.UNSUPPORTED, "open: errno " + open.errno());
      fd = open.asInt();
    }
    Libc.Ret lock;
    do {
      lock = Libc.flock(fd, Flags.LOCK_EX | Flags.LOCK_NB);
    } while (lock.failed() && lock.errno() == Errno.EINTR);
    if (!lock.failed()) return new CgroupLock(fd, Outcome.TAKEN, "");
    Libc.close(fd);
    return lock.errno() == Errno.EAGAIN
        ? new CgroupLock(-1, Outcome.HELD_BY_ANOTHER, "locked by a live process")
        : new CgroupLock(-1, Outcome.UNSUPPORTED, "flock: errno " + lock.errno());
  }

  @Override
  public void close() {
    if (fd >= 0) Libc.close(fd);
  }
}
