package zinit.config;

/**
 * A service file (or service_create content) that cannot be used. The message reads {@code
 * "FILE:LINE: field 'F': reason"}; the line part is left out when unknown, the field part when the
 * problem is not about one field.
 */
public final class ConfigException extends Exception {
  private final String file;
  private final int line;
  private final String field;
  private final String reason;

  public ConfigException(String file, int line, String field, String reason) {
    super(message(file, line, field, reason));
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason;
  }

  /** The file as given to the loader (a path, or "name.yaml (service_create)"). */
  public String file() {
    return file;
  }

  /**
   * The service the file would have defined: its name without ".yaml", or null when it is no
   * service file. Cut from the string, not through Path: a name the file-name charset cannot
   * encode is no Path (InvalidPathException), and zinit must still report it.
   */
  public String serviceOrNull() {
    String n = file.substring(file.lastIndexOf('/') + 1);
    return n.endsWith(".yaml") ? n.substring(0, n.length() - ".yaml".length()) : null;
  }

  /** 1-based line, 0 when unknown. */
  public int line() {
    return line;
  }

  /** The field ("exec", "signal.stop", "env.HOME", "after[2]"), or null when none. */
  public String field() {
    return field;
  }

  /** The message without file, line and field. */
  public String reason() {
    return reason;
  }

  private static String message(String file, int line, String field, String reason) {
    StringBuilder b = new StringBuilder(file);
    if (line > 0) b.append(':').append(line);
    b.append(": ");
    if (field != null) b.append("field '").append(field).append("': ");
    return b.append(reason).toString();
  }
}
