package zinit.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the common replies (a null, string, boolean or integer result; an error whose data is an
 * object of strings) without Jackson, byte for byte as {@link Dispatcher#JSON} writes them. A stop's
 * reply is written when the stop is over, on its critical path, where Jackson's serializer costs
 * ~80 µs because 40 stops never get it compiled; this takes a few. Anything else (arrays, other
 * numbers, non-ASCII text, deep trees) answers null and goes to Jackson.
 */
final class SmallReplies {
  private static final int MAX_DEPTH = 3;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private SmallReplies() {}

  /** The reply as one line ending in '\n', or null when it is not a shape written here. */
  static byte[] line(JsonNode reply) {
    StringBuilder out = new StringBuilder(64);
    if (!reply.isObject() || !value(reply, out, 0)) return null;
    out.append('\n');
    return out.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static boolean value(JsonNode v, StringBuilder out, int depth) {
    switch (v.getNodeType()) {
      case NULL -> out.append("null");
      case BOOLEAN -> out.append(v.booleanValue());
      case STRING -> {
        return string(v.textValue(), out);
      }
      case NUMBER -> {
        if (!v.isInt() && !v.isLong()) return false;
        out.append(v.longValue());
      }
      case OBJECT -> {
        if (depth == MAX_DEPTH) return false;
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> field : v.properties()) {
          if (!first) out.append(',');
          first = false;
          if (!string(field.getKey(), out)) return false;
          out.append(':');
          if (!value(field.getValue(), out, depth + 1)) return false;
        }
        out.append('}');
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** A quoted string escaped as Jackson escapes it; false for non-ASCII text (UTF-8 is Jackson's). */
  private static boolean string(String s, StringBuilder out) {
    out.append('"');
    int n = s.length();
    int plain = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) return false;
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out.append(s, plain, i);
      plain = i + 1;
      out.append('\\');
      switch (c) {
        case '"', '\\' -> out.append(c);
        case '\b' -> out.append('b');
        case '\t' -> out.append('t');
        case '\n' -> out.append('n');
        case '\f' -> out.append('f');
        case '\r' -> out.append('r');
        default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    out.append(s, plain, n).append('"');
    return true;
  }
}
