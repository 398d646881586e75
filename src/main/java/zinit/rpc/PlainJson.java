package zinit.rpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON to and from plain Java values (Map in document order, List, String, Long or Double, Boolean,
 * null) for the client side of the socket. Every CLI call is a fresh JVM, and there loading and
 * interpreting Jackson costs more than the call itself; the daemon keeps Jackson.
 */
final class PlainJson {
  private PlainJson() {}

  static void write(StringBuilder b, Object v) {
    if (v == null) b.append("null");
    else if (v instanceof String s) string(b, s);
    else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) b.append(v);
    else if (v instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) throw new IllegalArgumentException("JSON has no " + d);
      b.append(d);
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      String sep = "";
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(sep);
        string(b, String.valueOf(e.getKey()));
        b.append(':');
        write(b, e.getValue());
        sep = ",";
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      String sep = "";
      for (Object o : l) {
        b.append(sep);
        write(b, o);
        sep = ",";
      }
      b.append(']');
    } else throw new IllegalArgumentException("cannot send a " + v.getClass().getName());
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c == '\n') b.append("\\n");
      else if (c == '\r') b.append("\\r");
      else if (c == '\t') b.append("\\t");
      else if (c < 0x20) b.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
      else b.append(c);
    }
    b.append('"');
  }

  /** Reads values one after another from a stream (newline separated or back to back). */
  static final class Reader {
    /** What {@link #next} returns at the end of the stream. */
    static final Object END = new Object();

    private final InputStream in;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;
    /** Bytes of the current string not yet decoded (a UTF-8 sequence may span two reads). */
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();

    Reader(InputStream in) {
      this.in = in;
    }

    /** The next value, or {@link #END} when the stream ends between values. */
    Object next() throws IOException {
      int c = skipSpace();
      if (c < 0) return END;
      return value(c);
    }

    /** What was read ahead but not parsed, then the rest of the stream. */
    void transferRest(ByteArrayOutputStream out) throws IOException {
      out.write(buf, pos, limit - pos);
      pos = limit;
      in.transferTo(out);
    }

    private int read() throws IOException {
      if (pos == limit) {
        limit = in.read(buf, 0, buf.length);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          return -1;
        }
      }
      return buf[pos++] & 0xff;
    }

    private int skipSpace() throws IOException {
      int c;
      do c = read();
      while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
      return c;
    }

    private int required() throws IOException {
      int c = skipSpace();
      if (c < 0) throw new IOException("JSON ends early");
      return c;
    }

    private Object value(int c) throws IOException {
      switch (c) {
        case '{' -> {
          Map<String, Object> m = new LinkedHashMap<>();
          int d = required();
          if (d == '}') return m;
          while (true) {
            if (d != '"') throw unexpected(d, "a member name");
            String key = string();
            if (required() != ':') throw new IOException("JSON: ':' expected after \"" + key + "\"");
            m.put(key, value(required()));
            d = required();
            if (d == '}') return m;
            if (d != ',') throw unexpected(d, "',' or '}'");
            d = required();
          }
        }
        case '[' -> {
          List<Object> l = new ArrayList<>();
          int d = required();
          if (d == ']') return l;
          while (true) {
            l.add(value(d));
            d = required();
            if (d == ']') return l;
            if (d != ',') throw unexpected(d, "',' or ']'");
            d = required();
          }
        }
        case '"' -> {
          return string();
        }
        case 't' -> {
          literal("rue");
          return Boolean.TRUE;
        }
        case 'f' -> {
          literal("alse");
          return Boolean.FALSE;
        }
        case 'n' -> {
          literal("ull");
          return null;
        }
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) return number(c);
          throw unexpected(c, "a value");
        }
      }
    }

    private void literal(String rest) throws IOException {
      for (int i = 0; i < rest.length(); i++) if (read() != rest.charAt(i)) throw new IOException("JSON: bad literal");
    }

    private Object number(int first) throws IOException {
      StringBuilder s = new StringBuilder().append((char) first);
      boolean fraction = false;
      while (true) {
        if (pos == limit && peekEnd()) break;
        int c = buf[pos] & 0xff;
        if ((c >= '0' && c <= '9') || c == '-' || c == '+') s.append((char) c);
        else if (c == '.' || c == 'e' || c == 'E') {
          fraction = true;
          s.append((char) c);
        } else break;
        pos++;
      }
      try {
        if (!fraction) {
          try {
            return Long.parseLong(s.toString());
          } catch (NumberFormatException tooBig) {
            return Double.parseDouble(s.toString());
          }
        }
        return Double.parseDouble(s.toString());
      } catch (NumberFormatException e) {
        throw new IOException("JSON: bad number " + s);
      }
    }

    /** Fills the buffer when it is empty; true when the stream has ended. */
    private boolean peekEnd() throws IOException {
      if (read() < 0) return true;
      pos--;
      return false;
    }

    private String string() throws IOException {
      StringBuilder s = new StringBuilder();
      raw.reset();
      while (true) {
        int c = read();
        if (c < 0) throw new IOException("JSON: unterminated string");
        if (c == '"') break;
        if (c != '\\') {
          if (c < 0x20) throw new IOException("JSON: control character in a string");
          raw.write(c);
          continue;
        }
        flush(s);
        int e = read();
        switch (e) {
          case '"', '\\', '/' -> s.append((char) e);
          case 'b' -> s.append('\b');
          case 'f' -> s.append('\f');
          case 'n' -> s.append('\n');
          case 'r' -> s.append('\r');
          case 't' -> s.append('\t');
          case 'u' -> {
            int code = 0;
            for (int i = 0; i < 4; i++) {
              int digit = Character.digit(read(), 16);
              if (digit < 0) throw new IOException("JSON: bad \\u escape");
              code = code * 16 + digit;
            }
            s.append((char) code);
          }
          default -> throw new IOException("JSON: bad escape \\" + (char) e);
        }
      }
      flush(s);
      return s.toString();
    }

    private void flush(StringBuilder s) {
      if (raw.size() == 0) return;
      s.append(raw.toString(StandardCharsets.UTF_8));
      raw.reset();
    }

    private static IOException unexpected(int c, String expected) {
      return new IOException(c < 0 ? "JSON ends early" : "JSON: " + expected + " expected, got '" + (char) c + "'");
    }
  }
}
