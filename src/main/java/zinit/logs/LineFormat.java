package zinit.logs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The two written forms of a log entry, shared by log files and {@code zinit log -t/--json}:
 * {@code 2026-11-30T21:03:21.123Z [+] web: message} and
 * {@code {"time":"…","service":"web","stream":"stdout","msg":"…"}}.
 */
public final class LineFormat {
  private LineFormat() {}

  /** Which stream an entry came from; {@code ZINIT} is zinit's own mark about the service. */
  public enum Stream {
    STDOUT("stdout"),
    STDERR("stderr"),
    ZINIT("zinit");

    final String label;

    Stream(String label) {
      this.label = label;
    }
  }

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  // The last formatted time, reused while the clock stays within the same millisecond (a
  // flat-out producer writes many lines per millisecond) and its second while it stays within
  // that. One cache per thread, so no lock.
  private static final class Cache {
    long second = Long.MIN_VALUE;
    String secondText;
    long millis = Long.MIN_VALUE;
    String text;
  }

  private static final ThreadLocal<Cache> CACHE = ThreadLocal.withInitial(Cache::new);

  /** RFC 3339 UTC with milliseconds: {@code 2026-11-30T21:03:21.123Z}. */
  public static String time(long epochMillis) {
    Cache c = CACHE.get();
    if (c.millis == epochMillis) return c.text;
    long second = Math.floorDiv(epochMillis, 1000);
    int millis = Math.floorMod(epochMillis, 1000);
    if (c.second != second) {
      c.secondText = SECONDS.format(Instant.ofEpochSecond(second));
      c.second = second;
    }
    StringBuilder b = new StringBuilder(24).append(c.secondText).append('.');
    if (millis < 100) b.append('0');
    if (millis < 10) b.append('0');
    c.text = b.append(millis).append('Z').toString();
    c.millis = epochMillis;
    return c.text;
  }

  /** The ring's form of a line of {@code service}; a mark reads {@code [+] zinit: web: text}. */
  public static String ringLine(String service, Stream stream, String text) {
    return switch (stream) {
      case STDOUT -> LogRing.format(service, false, text);
      case STDERR -> LogRing.format(service, true, text);
      case ZINIT -> LogRing.format(LogRing.ZINIT, false, service + ": " + text);
    };
  }

  /** The text form: the time, a space, then the ring's form of the line. */
  public static String text(long epochMillis, String ringLine) {
    return time(epochMillis) + " " + ringLine;
  }

  /** The json form of an entry; valid JSON for any text (the decoder already replaced invalid UTF-8). */
  public static String json(long epochMillis, String service, Stream stream, String msg) {
    StringBuilder b = new StringBuilder(64 + msg.length());
    b.append("{\"time\":\"").append(time(epochMillis)).append("\",\"service\":");
    quote(b, service);
    b.append(",\"stream\":\"").append(stream.label).append("\",\"msg\":");
    quote(b, msg);
    return b.append('}').toString();
  }

  /** The json form of a ring line, taken apart again ({@code [+] name: text}). */
  public static String jsonOfRingLine(long epochMillis, String ringLine) {
    Parsed p = parse(ringLine);
    return json(epochMillis, p.service(), p.stream(), p.msg());
  }

  record Parsed(String service, Stream stream, String msg) {}

  static Parsed parse(String ringLine) {
    Stream stream = ringLine.startsWith("[-] ") ? Stream.STDERR : Stream.STDOUT;
    int colon = ringLine.indexOf(": ", 4);
    if (!(ringLine.startsWith("[+] ") || ringLine.startsWith("[-] ")) || colon < 0) {
      return new Parsed("", Stream.STDOUT, ringLine);
    }
    String service = ringLine.substring(4, colon);
    String msg = ringLine.substring(colon + 2);
    if (service.equals(LogRing.ZINIT)) stream = Stream.ZINIT;
    return new Parsed(service, stream, msg);
  }

  /** Appends {@code s} as a JSON string: quotes, backslashes and every control character escaped. */
  static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04x", (int) c));
          } else if (Character.isSurrogate(c) && !pairedAt(s, i)) {
            b.append("\\ufffd"); // a lone surrogate has no UTF-8 form
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  private static boolean pairedAt(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
