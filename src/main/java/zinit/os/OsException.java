package zinit.os;

/**
 * A libc call failed. The message names the call (with its arguments where they help) and the
 * errno, symbolically and in words, e.g. {@code pidfd_open(123): ESRCH (No such process)}.
 */
public final class OsException extends RuntimeException {
  private final String call;
  private final int errno;

  public OsException(String call, int errno) {
    super(call + ": " + Errno.describe(errno));
    this.call = call;
    this.errno = errno;
  }

  /** The call that failed, as named in the message. */
  public String call() {
    return call;
  }

  public int errno() {
    return errno;
  }
}
