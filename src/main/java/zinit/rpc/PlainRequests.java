package zinit.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;

/**
 * Reads the common request, an object of plain members such as {@code {"jsonrpc": "2.0", "id": 1,
 * "method": "service_stop", "params": ["web"]}}, into the tree {@link Dispatcher#JSON} would build,
 * without Jackson: a stop is parsed on its critical path, where Jackson's parser, run too rarely to
 * be compiled, costs ~100 µs. Only text Jackson reads without complaint and into the same tree is
 * taken: printable ASCII strings without escapes, integers of up to 18 digits, true, false, null,
 * and arrays and objects of those within the request's own members, no key twice. Anything else
 * (an escape, a fraction, a batch, a syntax error, a duplicate key) answers null, and Jackson reads
 * the text and reports its errors as it always did.
 */
final class PlainRequests {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int MAX_DIGITS = 18;

  private final byte[] text;
  private int at;

  private PlainRequests(byte[] text) {
    this.text = text;
  }

  /** The request's tree, or null when Jackson is to read it. */
  static JsonNode read(byte[] text) {
    PlainRequests r = new PlainRequests(text);
    r.skipSpace();
    ObjectNode request = r.object(true);
    if (request == null) return null;
    r.skipSpace();
    return r.at == text.length ? request : null;
  }

  /** An object; its members may hold arrays and objects of scalars only when {@code outer}. */
  private ObjectNode object(boolean outer) {
    if (!take('{')) return null;
    ObjectNode object = NODES.objectNode();
    skipSpace();
    if (take('}')) return object;
    for (; ; ) {
      skipSpace();
      String key = string();
      if (key == null || object.has(key)) return null;
      skipSpace();
      if (!take(':')) return null;
      skipSpace();
      JsonNode value = value(outer);
      if (value == null) return null;
      object.set(key, value);
      skipSpace();
      if (take('}')) return object;
      if (!take(',')) return null;
    }
  }

  private ArrayNode array() {
    if (!take('[')) return null;
    ArrayNode array = NODES.arrayNode();
    skipSpace();
    if (take(']')) return array;
    for (; ; ) {
      skipSpace();
      JsonNode value = value(false);
      if (value == null) return null;
      array.add(value);
      skipSpace();
      if (take(']')) return array;
      if (!take(',')) return null;
    }
  }

  private JsonNode value(boolean containers) {
    if (at == text.length) return null;
    byte b = text[at];
    if (b == '"') {
      String s = string();
      return s == null ? null : TextNode.valueOf(s);
    }
    if (b == '-' || (b >= '0' && b <= '9')) return integer();
    if (b == '{') return containers ? object(false) : null;
    if (b == '[') return containers ? array() : null;
    if (word("true")) return BooleanNode.TRUE;
    if (word("false")) return BooleanNode.FALSE;
    if (word("null")) return NullNode.instance;
    return null;
  }

  private String string() {
    if (!take('"')) return null;
    int from = at;
    for (; at < text.length; at++) {
      byte b = text[at];
      if (b == '"') {
        String s = new String(text, from, at - from, StandardCharsets.US_ASCII);
        at++;
        return s;
      }
      // escapes, control characters and non-ASCII (UTF-8, which Jackson validates) are Jackson's
      if (b == '\\' || b < 0x20 || b > 0x7E) return null;
    }
    return null;
  }

  /** An integer as Jackson reads it: an int node when it fits, else a long node. */
  private JsonNode integer() {
    boolean negative = take('-');
    int from = at;
    long value = 0;
    while (at < text.length && text[at] >= '0' && text[at] <= '9') value = value * 10 + (text[at++] - '0');
    int digits = at - from;
    // no digits, a leading zero or "-0" (Jackson's errors or its own reading), too many digits
    if (digits == 0 || digits > MAX_DIGITS || (text[from] == '0' && (digits > 1 || negative))) return null;
    // a fraction or exponent makes it a floating-point number: Jackson's
    if (at < text.length && (text[at] == '.' || text[at] == 'e' || text[at] == 'E')) return null;
    if (negative) value = -value;
    return value == (int) value ? IntNode.valueOf((int) value) : LongNode.valueOf(value);
  }

  /** A literal, followed by a delimiter (Jackson reads "truex" as an error). */
  private boolean word(String w) {
    int n = w.length();
    if (at + n > text.length) return false;
    for (int i = 0; i < n; i++) if (text[at + i] != w.charAt(i)) return false;
    if (at + n < text.length) {
      byte next = text[at + n];
      if (next != ',' && next != '}' && next != ']' && !space(next)) return false;
    }
    at += n;
    return true;
  }

  private boolean take(char c) {
    if (at < text.length && text[at] == c) {
      at++;
      return true;
    }
    return false;
  }

  private void skipSpace() {
    while (at < text.length && space(text[at])) at++;
  }

  private static boolean space(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
