package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the plain subset of service files into the {@link YamlTree} that SnakeYAML (through
 * Jackson) would give, without loading or running it: a daemon reads every service file before its
 * first spawn, and SnakeYAML, run too rarely to be compiled, costs ~0.5 ms a file. Only text read
 * the same way for certain is taken: printable ASCII, block mappings of {@code key: value} (keys
 * of letters, digits, '_' and '-', no key twice, at most three levels), block lists of scalars,
 * full-line comments and comments after a value, and scalars that are single-line double-quoted
 * strings (escapes {@code \"} and {@code \\} only), single-quoted strings, {@code true}, {@code
 * false}, {@code null}, nothing (read as ""), integers of up to 9 digits, or plain text that YAML 1.1 cannot
 * read as anything but a string. Anything else (a tab, an anchor, a flow list, a multi-line or
 * block scalar, {@code yes}, {@code 1.5}, a document marker, a syntax error) answers null, and
 * SnakeYAML reads the text and reports its errors as it always did.
 */
final class PlainYaml {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int MAX_LEVELS = 3;
  private static final int MAX_INT_DIGITS = 9;
  /** Words YAML 1.1 reads as booleans or null in some spelling: only the three below are taken. */
  private static final Set<String> WORDS = Set.of("y", "n", "yes", "no", "true", "false", "on", "off", "null");

  /** One line that is neither blank nor a comment. */
  private record Line(int number, int indent, String text) {}

  private final List<Line> lines;
  private final HashMap<String, Integer> lineOf = new HashMap<>();
  private final HashMap<String, String> plain = new HashMap<>();
  private int at;

  private PlainYaml(List<Line> lines) {
    this.lines = lines;
  }

  /** The text's tree, or null when SnakeYAML is to read it. */
  static YamlTree read(String text) {
    List<Line> lines = new ArrayList<>();
    int number = 0;
    for (int start = 0; start <= text.length(); ) {
      int end = text.indexOf('\n', start);
      if (end < 0) end = text.length();
      number++;
      int indent = start;
      while (indent < end && text.charAt(indent) == ' ') indent++;
      for (int i = indent; i < end; i++) {
        char c = text.charAt(i);
        if (c < 0x20 || c > 0x7e) return null;
      }
      if (indent < end && text.charAt(indent) != '#') {
        lines.add(new Line(number, indent - start, text.substring(indent, end)));
      }
      start = end + 1;
    }
    if (lines.isEmpty() || lines.getFirst().indent != 0) return null;
    PlainYaml r = new PlainYaml(lines);
    r.lineOf.put("", lines.getFirst().number);
    JsonNode root = r.mapping("", 0, 1);
    if (root == null || r.at != lines.size()) return null;
    return new YamlTree(root, r.lineOf, r.plain);
  }

  /** The block mapping whose keys are at {@code indent}, from the current line on. */
  private ObjectNode mapping(String path, int indent, int level) {
    ObjectNode object = NODES.objectNode();
    while (at < lines.size()) {
      Line line = lines.get(at);
      if (line.indent < indent) break;
      if (line.indent > indent) return null;
      String text = line.text;
      int colon = keyEnd(text);
      if (colon < 0) return null;
      String key = text.substring(0, colon);
      if (object.has(key) || WORDS.contains(key.toLowerCase(Locale.ROOT))) return null;
      String child = YamlTree.child(path, key);
      lineOf.put(child, line.number);
      at++;
      String rest = text.substring(colon + 1).stripLeading();
      JsonNode value;
      if (rest.isEmpty() || rest.charAt(0) == '#') {
        value = block(child, indent, level);
      } else {
        value = scalar(child, rest);
      }
      if (value == null) return null;
      object.set(key, value);
    }
    return object;
  }

  /** What follows a key with nothing after it: a nested mapping or list, or "". */
  private JsonNode block(String path, int indent, int level) {
    Line next = at < lines.size() ? lines.get(at) : null;
    boolean item = next != null && isItem(next.text);
    if (next != null && (next.indent > indent || (next.indent == indent && item))) {
      if (level >= MAX_LEVELS) return null;
      return item ? list(path, next.indent) : mapping(path, next.indent, level + 1);
    }
    return NODES.textNode(""); // Jackson reads YAML's empty value as "", not null
  }

  /** The block list of scalars whose dashes are at {@code indent}. */
  private ArrayNode list(String path, int indent) {
    ArrayNode array = NODES.arrayNode();
    while (at < lines.size()) {
      Line line = lines.get(at);
      if (line.indent != indent || !isItem(line.text)) break;
      String rest = line.text.substring(1).stripLeading();
      if (rest.isEmpty() || rest.charAt(0) == '#' || rest.charAt(0) == '-' || keyEnd(rest) >= 0) return null;
      String child = YamlTree.item(path, array.size());
      lineOf.put(child, line.number);
      JsonNode value = scalar(child, rest);
      if (value == null) return null;
      array.add(value);
      at++;
    }
    return at < lines.size() && lines.get(at).indent > indent ? null : array;
  }

  private static boolean isItem(String text) {
    return text.equals("-") || text.startsWith("- ");
  }

  /** Where the ':' of a leading {@code key:} is (followed by a space or the line's end), or -1. */
  private static int keyEnd(String text) {
    int i = 0;
    if (text.isEmpty() || !(letter(text.charAt(0)) || text.charAt(0) == '_')) return -1;
    while (i < text.length() && (letter(text.charAt(i)) || digit(text.charAt(i)) || text.charAt(i) == '_' || text.charAt(i) == '-')) i++;
    if (i == text.length() || text.charAt(i) != ':') return -1;
    return i + 1 == text.length() || text.charAt(i + 1) == ' ' ? i : -1;
  }

  /** A scalar that is all of {@code text} but a trailing comment, or null. */
  private JsonNode scalar(String path, String text) {
    char first = text.charAt(0);
    if (first == '"' || first == '\'') return quoted(text, first);
    if (!(letter(first) || digit(first) || first == '/' || first == '_' || first == '$')) return null;
    int comment = text.indexOf(" #");
    String value = (comment < 0 ? text : text.substring(0, comment)).stripTrailing();
    if (value.contains(": ") || value.endsWith(":")) return null;
    String word = value.toLowerCase(Locale.ROOT);
    if (WORDS.contains(word)) {
      if (!word.equals(value) || word.equals("y") || word.equals("n") || word.equals("yes") || word.equals("no")
          || word.equals("on") || word.equals("off")) {
        return null;
      }
      plain.put(path, value);
      return switch (value) {
        case "true" -> NODES.booleanNode(true);
        case "false" -> NODES.booleanNode(false);
        default -> NODES.nullNode();
      };
    }
    if (digit(first)) {
      int digits = 0;
      while (digits < value.length() && digit(value.charAt(digits))) digits++;
      if (digits == value.length()) {
        if (digits > MAX_INT_DIGITS || (first == '0' && digits > 1)) return null;
        plain.put(path, value);
        return NODES.numberNode(Integer.parseInt(value));
      }
      // a number with a unit ("16M"), which no YAML 1.1 number or date pattern matches
      if (first == '0' || "eExXbBoO".indexOf(value.charAt(digits)) >= 0) return null;
      for (int i = digits; i < value.length(); i++) if (!letter(value.charAt(i))) return null;
    }
    return NODES.textNode(value);
  }

  /** A single-line quoted string and nothing after it but spaces and a comment, or null. */
  private static JsonNode quoted(String text, char quote) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 1;
    for (; ; i++) {
      if (i >= text.length()) return null;
      char c = text.charAt(i);
      if (quote == '"' && c == '\\') {
        if (i + 1 >= text.length()) return null;
        char e = text.charAt(++i);
        if (e != '"' && e != '\\') return null;
        out.append(e);
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
          out.append('\'');
          i++;
        } else {
          break;
        }
      } else {
        out.append(c);
      }
    }
    String after = text.substring(i + 1);
    String rest = after.stripLeading();
    if (!rest.isEmpty() && !(rest.charAt(0) == '#' && rest.length() < after.length())) return null;
    return NODES.textNode(out.toString());
  }

  private static boolean letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }
}
