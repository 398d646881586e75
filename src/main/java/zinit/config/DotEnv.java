package zinit.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An env_file: KEY=VALUE lines; blank lines and '#' comments skipped; an optional "export "
 * before the key; values unquoted (single quotes literal, double quotes with \n, \t, \", \\ and
 * \$ escapes) or bare (trimmed, a " #" starts a comment). Unlike /etc/environment, which is
 * read leniently, a line that is none of these is an error naming its line: the file was written
 * for this service.
 */
final class DotEnv {
  private DotEnv() {}

  /** A line that is not KEY=VALUE; {@code line} is 1-based. */
  static final class Error extends Exception {
    final int line;

    Error(int line, String reason) {
      super(reason);
      this.line = line;
    }
  }

  static Map<String, String> parse(List<String> lines) throws Error {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      if (line.startsWith("export ") || line.startsWith("export\t")) line = line.substring(7).strip();
      int eq = line.indexOf('=');
      if (eq <= 0) throw new Error(i + 1, "not a KEY=VALUE line");
      String key = line.substring(0, eq).strip();
      if (!key.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
        throw new Error(i + 1, "'" + key + "' is not a variable name (letters, digits, '_', '.')");
      }
      out.put(key, value(line.substring(eq + 1).strip(), i + 1));
    }
    return out;
  }

  private static String value(String v, int line) throws Error {
    if (v.isEmpty()) return v;
    char q = v.charAt(0);
    if (q == '\'') {
      int end = v.indexOf('\'', 1);
      if (end < 0) throw new Error(line, "unterminated single quote");
      rest(v.substring(end + 1), line);
      return v.substring(1, end);
    }
    if (q == '"') {
      StringBuilder out = new StringBuilder();
      for (int i = 1; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c == '"') {
          rest(v.substring(i + 1), line);
          return out.toString();
        }
        if (c == '\\' && i + 1 < v.length()) {
          char n = v.charAt(++i);
          out.append(
              switch (n) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case '"', '\\', '$' -> n;
                default -> throw new Error(line, "unknown escape \\" + n + " in double quotes");
              });
        } else {
          out.append(c);
        }
      }
      throw new Error(line, "unterminated double quote");
    }
    int comment = v.indexOf(" #");
    return (comment < 0 ? v : v.substring(0, comment)).strip();
  }

  /** After a closing quote only blanks or a comment may follow. */
  private static void rest(String after, int line) throws Error {
    String r = after.strip();
    if (!r.isEmpty() && !r.startsWith("#")) throw new Error(line, "text after the closing quote: " + r);
  }
}
