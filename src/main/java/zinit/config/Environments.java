package zinit.config;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The environment services run with: zinit's own, then /etc/environment, then the service's env. */
public final class Environments {
  public static final Path ETC_ENVIRONMENT = Path.of("/etc/environment");

  private Environments() {}

  /** zinit's environment overlaid with {@code etcEnvironment} (missing file: nothing added). */
  public static Map<String, String> base(Path etcEnvironment) {
    return base(etcEnvironment, w -> {});
  }

  public static Map<String, String> base(Path etcEnvironment, Consumer<String> warnings) {
    Map<String, String> env = new HashMap<>(System.getenv());
    // The launcher's LC_ALL, there only so that the JVM decodes names as UTF-8 (bin/zinit)
    if (env.remove("ZINIT_LC_ALL_ADDED") != null) env.remove("LC_ALL");
    // The launcher's LD_LIBRARY_PATH, there only so that the runtime starts without /proc
    if (env.remove("ZINIT_LD_LIBRARY_PATH_ADDED") != null) env.remove("LD_LIBRARY_PATH");
    // The launcher's note of the kernel's words it left out as PID 1 (bin/zinit)
    env.remove("ZINIT_KERNEL_WORDS");
    // The checkout launcher's own name, for zinit's "try: ... list" hint (bin/zinit)
    env.remove("ZINIT_LAUNCHER");
    env.putAll(readFile(etcEnvironment, warnings));
    return Collections.unmodifiableMap(env);
  }

  /**
   * {@code base}, then HOME, USER and LOGNAME of the service's user (when it has one), then the
   * service's own env (env_file under env).
   */
  public static Map<String, String> forService(Map<String, String> base, ServiceConfig c) {
    Map<String, String> env = new HashMap<>(base);
    if (c.identity() != null) {
      env.put("HOME", c.identity().home());
      env.put("USER", c.identity().userName());
      env.put("LOGNAME", c.identity().userName());
    }
    env.putAll(c.env());
    return Collections.unmodifiableMap(env);
  }

  /** KEY=VALUE lines; a missing file is empty, an unreadable one is warned about and empty. */
  static Map<String, String> readFile(Path file, Consumer<String> warnings) {
    List<String> lines;
    try {
      lines = SmallFiles.read(file, ConfigLoader.MAX_FILE_BYTES).lines().toList();
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (IOException e) {
      warnings.accept(file + ": cannot read, ignored: " + e);
      return Map.of();
    }
    return parse(file.toString(), lines, warnings);
  }

  /**
   * Blank lines and '#' comments are skipped; "export " is allowed before the key; a value wholly
   * inside matching single or double quotes loses them (no other unquoting, like pam_env).
   */
  static Map<String, String> parse(String file, List<String> lines, Consumer<String> warnings) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      if (line.startsWith("export ") || line.startsWith("export\t")) line = line.substring(7).strip();
      int eq = line.indexOf('=');
      String key = eq < 0 ? line : line.substring(0, eq).strip();
      if (eq <= 0 || !validKey(key)) {
        warnings.accept(file + ":" + (i + 1) + ": not a KEY=VALUE line, ignored");
        continue;
      }
      out.put(key, unquote(line.substring(eq + 1).strip()));
    }
    return out;
  }

  private static boolean validKey(String key) {
    if (key.isEmpty()) return false;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) return false;
    }
    return true;
  }

  private static String unquote(String v) {
    if (v.length() >= 2) {
      char q = v.charAt(0);
      if ((q == '"' || q == '\'') && v.charAt(v.length() - 1) == q) return v.substring(1, v.length() - 1);
    }
    return v;
  }
}
