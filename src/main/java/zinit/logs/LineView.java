package zinit.logs;

import java.util.Locale;

/** How a reader wants ring lines: as stored (the original's form), with their time, or as json. */
public enum LineView {
  /** {@code [+] web: text}: byte for byte what zinit always printed. */
  PLAIN,
  /** {@code 2026-11-30T21:03:21.123Z [+] web: text}. */
  TIME,
  /** {@code {"time":"…","service":"web","stream":"stdout","msg":"text"}}. */
  JSON;

  String apply(long epochMillis, String line) {
    return switch (this) {
      case PLAIN -> line;
      case TIME -> LineFormat.text(epochMillis, line);
      case JSON -> LineFormat.jsonOfRingLine(epochMillis, line);
    };
  }

  /** "text" (or null), "time", "json"; anything else is an IllegalArgumentException naming the choices. */
  public static LineView parse(String nameOrNull) {
    if (nameOrNull == null) return PLAIN;
    return switch (nameOrNull.toLowerCase(Locale.ROOT)) {
      case "text", "plain" -> PLAIN;
      case "time" -> TIME;
      case "json" -> JSON;
      default -> throw new IllegalArgumentException("format must be text, time or json, got '" + nameOrNull + "'");
    };
  }
}
