package zinit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** zinit's version, from the build (Maven writes it into {@code /zinit/version.properties}). */
public final class Version {
  private Version() {}

  /** e.g. "0.2.0" or "0.2.0-SNAPSHOT". */
  public static final String VALUE = load();

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/zinit/version.properties")) {
      if (in == null) throw new IllegalStateException("/zinit/version.properties is not on the class path");
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "");
      if (v.isEmpty() || v.startsWith("${")) throw new IllegalStateException("version.properties was not filtered: '" + v + "'");
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException("reading /zinit/version.properties", e);
    }
  }
}
