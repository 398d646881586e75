package zinit.supervisor;

/** The program could not be started at all (not found, not executable, bad working dir, ...). */
public final class SpawnException extends Exception {
  public SpawnException(String message) {
    super(message);
  }

  public SpawnException(String message, Throwable cause) {
    super(message, cause);
  }
}
