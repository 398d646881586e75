package zinit.config;

/** TEMPORARY STUB until branch wt-config lands the real one; same public signatures. */
public final class ConfigException extends Exception {
  private final String file;
  private final int line;
  private final String field;

  public ConfigException(String file, int line, String field, String reason) {
    super(file + (line > 0 ? ":" + line : "") + ": " + (field != null ? "field '" + field + "': " : "") + reason);
    this.file = file;
    this.line = line;
    this.field = field;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String field() {
    return field;
  }
}
