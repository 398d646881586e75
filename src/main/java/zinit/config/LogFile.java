package zinit.config;

import java.nio.file.Path;

/**
 * Where and how a {@code log: file} service's output is written.
 *
 * @param pathOrNull {@code log_file}, or null for {@code <log dir>/<name>.log} (the log dir is a
 *     daemon option, so the default is resolved there)
 * @param maxBytes {@code log_size}: the file is rotated before a line would make it larger
 * @param keep {@code log_keep}: how many rotated files ({@code .1} newest ... {@code .keep}) stay
 * @param format {@code log_format}
 */
public record LogFile(Path pathOrNull, long maxBytes, int keep, Format format) {
  public static final long DEFAULT_SIZE = 10L << 20;
  public static final int DEFAULT_KEEP = 5;
  public static final int MAX_KEEP = 1000;

  /** One line per entry: {@code TIME [+] name: text}, or one JSON object. */
  public enum Format {
    TEXT,
    JSON
  }

  public LogFile {
    if (maxBytes < 1) throw new IllegalArgumentException("log_size must be at least 1 byte, got " + maxBytes);
    if (keep < 0 || keep > MAX_KEEP) throw new IllegalArgumentException("log_keep must be 0.." + MAX_KEEP + ", got " + keep);
    java.util.Objects.requireNonNull(format, "format");
  }

  public static LogFile defaults() {
    return new LogFile(null, DEFAULT_SIZE, DEFAULT_KEEP, Format.TEXT);
  }

  /** The file to write for service {@code name} when logs go to {@code logDir} by default. */
  public Path path(Path logDir, String name) {
    return pathOrNull != null ? pathOrNull : logDir.resolve(name + ".log");
  }
}
