package zinit.supervisor;

/**
 * Domain errors of the service operations. Each kind carries the JSON-RPC error code the control
 * plane answers with; the message already says what went wrong and for which service.
 */
public abstract sealed class ZinitException extends Exception {
  private final int code;
  private final String service;

  private ZinitException(int code, String service, String message) {
    super(message);
    this.code = code;
    this.service = service;
  }

  public int code() {
    return code;
  }

  /** The service the error is about, or null. */
  public String service() {
    return service;
  }

  public static final class NotFound extends ZinitException {
    private final String loadError;

    public NotFound(String name) {
      this(name, null);
    }

    /** @param loadErrorOrNull why the service's file could not be loaded, when that is the reason */
    public NotFound(String name, String loadErrorOrNull) {
      super(
          -32000,
          name,
          "service '" + name + "' not found"
              + (loadErrorOrNull == null ? "" : ": its file failed to load: " + loadErrorOrNull));
      this.loadError = loadErrorOrNull;
    }

    /** Why the service's file could not be loaded, or null when there is no such file. */
    public String loadError() {
      return loadError;
    }
  }

  public static final class AlreadyMonitored extends ZinitException {
    public AlreadyMonitored(String name) {
      super(-32001, name, "service '" + name + "' already monitored");
    }
  }

  public static final class IsUp extends ZinitException {
    public IsUp(String name) {
      super(-32002, name, "service '" + name + "' is up");
    }

    public IsUp(String name, String detail) {
      super(-32002, name, "service '" + name + "' is up: " + detail);
    }
  }

  public static final class IsDown extends ZinitException {
    public IsDown(String name) {
      super(-32003, name, "service '" + name + "' is down");
    }
  }

  public static final class InvalidSignal extends ZinitException {
    public InvalidSignal(String signal) {
      super(-32004, null, "invalid signal '" + signal + "'");
    }
  }

  public static final class ConfigError extends ZinitException {
    public ConfigError(String name, String detail) {
      super(-32005, name, detail);
    }
  }

  public static final class ShuttingDown extends ZinitException {
    public ShuttingDown() {
      super(-32006, null, "system is shutting down");
    }
  }

  public static final class AlreadyExists extends ZinitException {
    public AlreadyExists(String name) {
      super(-32007, name, "service '" + name + "' already exists");
    }
  }

  public static final class ServiceFileError extends ZinitException {
    public ServiceFileError(String name, String detail) {
      super(-32008, name, detail);
    }
  }
}
