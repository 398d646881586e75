package zinit.metrics;

/**
 * Writes the Prometheus text exposition format 0.0.4: per family a HELP and a TYPE line, then its
 * samples. Label values and help texts are escaped as the format requires.
 */
final class PromText {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder(8192);

  /** Starts a family; {@code type} is counter or gauge. */
  PromText family(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ');
    for (int i = 0; i < help.length(); i++) {
      char c = help.charAt(i);
      if (c == '\\') out.append("\\\\");
      else if (c == '\n') out.append("\\n");
      else out.append(c);
    }
    out.append("\n# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  /** One sample; {@code labels} are name, value, name, value, ... */
  PromText sample(String name, double value, String... labels) {
    out.append(name);
    if (labels.length > 0) {
      out.append('{');
      for (int i = 0; i < labels.length; i += 2) {
        if (i > 0) out.append(',');
        out.append(labels[i]).append("=\"");
        escapeLabel(labels[i + 1]);
        out.append('"');
      }
      out.append('}');
    }
    out.append(' ');
    number(value);
    out.append('\n');
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }

  private void escapeLabel(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }

  private void number(double v) {
    if (Double.isNaN(v)) out.append("NaN");
    else if (Double.isInfinite(v)) out.append(v > 0 ? "+Inf" : "-Inf");
    else if (v == Math.rint(v) && Math.abs(v) < 1e15) out.append((long) v);
    else out.append(v);
  }
}
