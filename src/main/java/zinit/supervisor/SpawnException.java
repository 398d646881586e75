package zinit.supervisor;

/** The program could not be started at all (not found, not executable, bad working dir, ...). */
public final class SpawnException extends Exception {
  private final boolean retryable;

  public SpawnException(String message) {
    this(message, null, false);
  }

  public SpawnException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * @param retryable the cause is a shortage that may pass (out of fds, processes or memory), so
   *     the spawn is retried under the restart backoff rather than given up
   */
  public SpawnException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
