package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/** The {@code log_file}, {@code log_size}, {@code log_keep} and {@code log_format} fields. */
final class LogFileFields {
  private LogFileFields() {}

  private static final List<String> FIELDS = List.of("log_file", "log_size", "log_keep", "log_format");

  /**
   * The settings when {@code isFile}, else null (and a warning for each log_* field given, since
   * it has no effect).
   */
  static LogFile parse(
      String name,
      JsonNode root,
      boolean isFile,
      BiFunction<String, String, ConfigException> error,
      BiConsumer<String, String> warn)
      throws ConfigException {
    if (!isFile) {
      for (String f : FIELDS) if (root.has(f)) warn.accept(f, f + " has no effect unless log: file");
      return null;
    }
    Path path = null;
    JsonNode file = root.get("log_file");
    if (file != null && !file.isNull()) {
      if (!file.isTextual() || file.textValue().isBlank()) {
        throw error.apply("log_file", "must be a file path, got " + ServiceFields.show(file));
      }
      try {
        path = Path.of(file.textValue());
      } catch (InvalidPathException e) {
        throw error.apply("log_file", "not a valid path: " + e.getReason());
      }
      if (!path.isAbsolute()) throw error.apply("log_file", "must be an absolute path, got '" + path + "'");
    }
    long size = LogFile.DEFAULT_SIZE;
    JsonNode sizeNode = root.get("log_size");
    if (sizeNode != null && !sizeNode.isNull()) {
      try {
        size = parseSize(sizeNode.asText());
      } catch (IllegalArgumentException e) {
        throw error.apply("log_size", e.getMessage());
      }
    }
    int keep = LogFile.DEFAULT_KEEP;
    JsonNode keepNode = root.get("log_keep");
    if (keepNode != null && !keepNode.isNull()) {
      if (!keepNode.isIntegralNumber() || !keepNode.canConvertToInt()
          || keepNode.intValue() < 0 || keepNode.intValue() > LogFile.MAX_KEEP) {
        throw error.apply("log_keep", "must be a whole number 0.." + LogFile.MAX_KEEP + ", got " + ServiceFields.show(keepNode));
      }
      keep = keepNode.intValue();
    }
    LogFile.Format format = LogFile.Format.TEXT;
    JsonNode formatNode = root.get("log_format");
    if (formatNode != null && !formatNode.isNull()) {
      format =
          switch (formatNode.asText().strip().toLowerCase(Locale.ROOT)) {
            case "text" -> LogFile.Format.TEXT;
            case "json" -> LogFile.Format.JSON;
            default -> throw error.apply("log_format", "must be text or json, got " + ServiceFields.show(formatNode));
          };
    }
    // A file name has at most 255 bytes (NAME_MAX); a service name up to 250, so NAME.log.5 may
    // not fit: the file could be written and never rotated, and log_size would not hold.
    String fileName = path == null ? name + ".log" : path.getFileName() == null ? "" : path.getFileName().toString();
    if (fileName.isEmpty()) throw error.apply("log_file", "must name a file, got '" + path + "'");
    String longest = keep == 0 ? fileName : fileName + "." + keep;
    int bytes = longest.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > NAME_MAX) {
      throw error.apply(path == null ? "log" : "log_file", "the log file's name is too long to rotate: '"
          + (longest.length() > 24 ? "..." + longest.substring(longest.length() - 24) : longest) + "' is " + bytes
          + " bytes, a file name at most " + NAME_MAX + (path == null ? "; set a shorter log_file" : ""));
    }
    return new LogFile(path, size, keep, format);
  }

  /** The longest file name Linux file systems take. */
  static final int NAME_MAX = 255;

  /** "10M", "512K", "1G", "4096" (bytes); K, M and G are powers of 1024; a trailing B is allowed. */
  static long parseSize(String text) {
    String t = text.strip().toUpperCase(Locale.ROOT);
    if (t.endsWith("B") && t.length() > 1) t = t.substring(0, t.length() - 1);
    int shift = 0;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'K' -> shift = 10;
        case 'M' -> shift = 20;
        case 'G' -> shift = 30;
        default -> shift = -1;
      }
      if (shift >= 0) t = t.substring(0, t.length() - 1).strip();
      else shift = 0;
    }
    long n;
    try {
      n = Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a size like 10M, 512K or 4096 (bytes), got '" + text + "'");
    }
    if (n < 1) throw new IllegalArgumentException("must be at least 1 byte, got '" + text + "'");
    if (n > (Long.MAX_VALUE >> 30)) throw new IllegalArgumentException("is too large: '" + text + "'");
    return n << shift;
  }
}
