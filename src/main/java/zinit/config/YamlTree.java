package zinit.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document as a Jackson tree plus the line of every key and list item, because Jackson's
 * tree model forgets locations and error messages must name the line.
 *
 * @param lines 1-based line per path; paths are built by {@link #child} and {@link #item}
 * @param plain the source text of each scalar that is not a string, because Jackson reads YAML 1.1
 *     scalars like {@code no} or {@code on} as booleans and an env value must stay as written
 */
record YamlTree(JsonNode root, Map<String, Integer> lines, Map<String, String> plain) {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Built on the first file {@link PlainYaml} does not take: most daemons never load SnakeYAML. */
  private static final class Parser {
    static final YAMLFactory YAML = YAMLFactory.builder().build();
  }

  /** A parse failure: reason and 1-based line (0 when unknown). */
  static final class SyntaxError extends Exception {
    final int line;

    SyntaxError(int line, String reason) {
      super(reason);
      this.line = line;
    }
  }

  static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static String item(String path, int index) {
    return path + "[" + index + "]";
  }

  int lineOf(String path) {
    return lines.getOrDefault(path, 0);
  }

  /** The scalar at {@code path} as written in the file. */
  String textOf(String path, JsonNode node) {
    return plain.getOrDefault(path, node.asText());
  }

  /** The text's tree: {@link PlainYaml}'s when it takes the text, else SnakeYAML's. */
  static YamlTree read(String text) throws SyntaxError {
    YamlTree plain = PlainYaml.read(text);
    if (plain == null) return parse(text);
    if (CROSS_CHECK) {
      YamlTree full = parse(text);
      if (!full.equals(plain)) throw new AssertionError("PlainYaml read differently:\n" + text + "\nas " + plain + "\nnot " + full);
    }
    return plain;
  }

  /** Tests set this to have SnakeYAML read every text PlainYaml takes too, and compare. */
  private static final boolean CROSS_CHECK = Boolean.getBoolean("zinit.config.crossCheckYaml");

  /** The text's tree as SnakeYAML reads it. */
  static YamlTree parse(String text) throws SyntaxError {
    try (JsonParser p = Parser.YAML.createParser(text)) {
      YamlTree tree = new YamlTree(NODES.nullNode(), new HashMap<>(), new HashMap<>());
      JsonToken first = p.nextToken();
      if (first == null) throw new SyntaxError(1, "file is empty");
      tree.lines.put("", line(p));
      JsonNode root = tree.value((YAMLParser) p, "", 0);
      if (p.nextToken() != null) throw new SyntaxError(line(p), "more than one YAML document");
      return new YamlTree(root, tree.lines, tree.plain);
    } catch (JsonProcessingException e) {
      throw syntaxError(e);
    } catch (IOException e) {
      throw new SyntaxError(0, "invalid YAML: " + oneLine(e.getMessage()));
    }
  }

  private JsonNode value(YAMLParser p, String path, int depth) throws IOException, SyntaxError {
    JsonToken t = p.currentToken();
    if (t.isStructStart() && depth >= Nesting.MAX_DEPTH) throw new SyntaxError(line(p), Nesting.reason(depth + 1));
    if (p.isCurrentAlias()) throw new SyntaxError(line(p), "YAML aliases (*name) are not supported");
    if (t.isScalarValue() && t != JsonToken.VALUE_STRING) plain.put(path, p.getText());
    return switch (t) {
      case START_OBJECT -> {
        ObjectNode o = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          int keyLine = line(p);
          if (o.has(key)) throw new SyntaxError(keyLine, "duplicate key '" + key + "'");
          String at = child(path, key);
          lines.put(at, keyLine);
          p.nextToken();
          o.set(key, value(p, at, depth + 1));
        }
        yield o;
      }
      case START_ARRAY -> {
        ArrayNode a = NODES.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          String at = item(path, i++);
          lines.put(at, line(p));
          a.add(value(p, at, depth + 1));
        }
        yield a;
      }
      case VALUE_STRING -> NODES.textNode(p.getText());
      case VALUE_NUMBER_INT ->
          switch (p.getNumberType()) {
            case INT -> NODES.numberNode(p.getIntValue());
            case LONG -> NODES.numberNode(p.getLongValue());
            default -> NODES.numberNode(p.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      default -> throw new SyntaxError(line(p), "unsupported YAML content: " + t);
    };
  }

  /** SnakeYAML's own problem and line read better than Jackson's wrapped message. */
  private static SyntaxError syntaxError(JsonProcessingException e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        String context = m.getContext() == null ? "" : " (" + m.getContext() + ")";
        return new SyntaxError(m.getProblemMark().getLine() + 1, "invalid YAML: " + oneLine(m.getProblem()) + context);
      }
    }
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    return new SyntaxError(Math.max(line, 0), "invalid YAML: " + oneLine(e.getOriginalMessage()));
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  private static String oneLine(String s) {
    if (s == null) return "unknown error";
    return s.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
