package zinit.cli;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Prints plain values as YAML the way the original's serde_yaml 0.8 does ("---" first, two-space
 * indents, quotes only where YAML needs them), without loading a YAML library into the CLI.
 */
final class Yaml {
  private Yaml() {}

  static String document(Object value) {
    StringBuilder b = new StringBuilder("---");
    if (isEmptyCollection(value) || isScalar(value)) b.append(' ').append(inline(value));
    else block(b, value, 0);
    return b.append('\n').toString();
  }

  private static void block(StringBuilder b, Object value, int indent) {
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        newline(b, indent).append(scalar(String.valueOf(e.getKey()))).append(':');
        Object v = e.getValue();
        if (isScalar(v) || isEmptyCollection(v)) b.append(' ').append(inline(v));
        else block(b, v, indent + 2);
      }
    } else if (value instanceof List<?> list) {
      for (Object item : list) {
        newline(b, indent).append("- ");
        if (isScalar(item) || isEmptyCollection(item)) b.append(inline(item));
        else {
          // the first entry of a nested block shares the dash's line
          StringBuilder nested = new StringBuilder();
          block(nested, item, indent + 2);
          b.append(nested.substring(indent + 3));
        }
      }
    }
  }

  private static StringBuilder newline(StringBuilder b, int indent) {
    return b.append('\n').repeat(' ', indent);
  }

  private static boolean isScalar(Object v) {
    return !(v instanceof Map<?, ?>) && !(v instanceof List<?>);
  }

  private static boolean isEmptyCollection(Object v) {
    return (v instanceof Map<?, ?> m && m.isEmpty()) || (v instanceof List<?> l && l.isEmpty());
  }

  // if-chains, not a pattern switch: its bootstrap generates a class at run time, which costs a
  // CLI call more than printing the whole list.
  private static String inline(Object v) {
    if (v == null) return "~";
    if (v instanceof Map<?, ?>) return "{}";
    if (v instanceof List<?>) return "[]";
    if (v instanceof Double d) return number(d);
    if (v instanceof Float f) return number(f.doubleValue());
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    return scalar(v.toString());
  }

  private static String number(double d) {
    if (Double.isNaN(d)) return ".nan";
    if (Double.isInfinite(d)) return d > 0 ? ".inf" : "-.inf";
    String s = BigDecimal.valueOf(d).toPlainString();
    return s.contains(".") ? s : s + ".0";
  }

  static String scalar(String s) {
    return needsQuotes(s) ? quote(s) : s;
  }

  private static boolean needsQuotes(String s) {
    if (s.isEmpty() || s.startsWith(" ") || s.endsWith(" ")) return true;
    if ("&*?|-<>=!%@".indexOf(s.charAt(0)) >= 0) return true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (":{}[],#`\"'\\".indexOf(c) >= 0 || c < 0x20 || c == 0x7f) return true;
    }
    return switch (s.toLowerCase()) {
      case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~" -> true;
      default -> looksNumeric(s);
    };
  }

  private static boolean looksNumeric(String s) {
    if (s.startsWith("0x") || s.startsWith("0o")) return true;
    // Double.parseDouble accepts nothing that starts otherwise (leading blanks are quoted already);
    // a list of 50 names would otherwise throw and fill 100 stack traces.
    if ("0123456789+-.NI".indexOf(s.charAt(0)) < 0) return false;
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }
}
