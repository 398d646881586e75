package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reads service files ({@code <name>.yaml}) into {@link ServiceConfig}s. Errors name file, line
 * and field; unknown keys are reported to a warnings consumer (the original ignored them).
 */
public final class ConfigLoader {
  /** Service files are small; this bounds what a stray big file can cost. */
  static final int MAX_FILE_BYTES = 1 << 20;

  static final String SUFFIX = ".yaml";

  private ConfigLoader() {}

  /**
   * Everything {@link #loadDir} found: valid services by name (sorted) and one error per file that
   * could not be used.
   */
  public record LoadResult(Map<String, ServiceConfig> services, List<ConfigException> errors) {
    public LoadResult {
      services = Collections.unmodifiableMap(new TreeMap<>(services));
      errors = List.copyOf(errors);
    }
  }

  /** Loads one file; the service's name is the file name without ".yaml". */
  public static ServiceConfig load(Path file, Consumer<String> warnings) throws ConfigException {
    try {
      return parse(file, warnings);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), 0, null, "no such file");
    }
  }

  /**
   * Loads every regular file (or link to one) named {@code *.yaml} in {@code dir}, in name order,
   * like the original (".yml" is not read). Hidden files are skipped. A bad file is reported in
   * {@link LoadResult#errors()} and never stops the others.
   */
  public static LoadResult loadDir(Path dir, Consumer<String> warnings) {
    List<Path> files = new ArrayList<>();
    List<ConfigException> errors = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path p : entries) {
        if (p.getFileName().toString().startsWith(".") || !Files.isRegularFile(p)) continue;
        if (!nameRoundTrips(p)) {
          // Decoded with U+FFFD (or '?') for each byte the charset lacks: two files would become
          // one service, under a name that opens neither
          errors.add(new ConfigException(p.toString(), 0, null, "file name is not valid UTF-8 (zinit decodes names as "
              + System.getProperty("sun.jnu.encoding") + "), so no service name can stand for it; rename it"));
          continue;
        }
        files.add(p);
      }
    } catch (IOException e) {
      errors.add(new ConfigException(dir.toString(), 0, null, "cannot read config directory: " + e));
      return new LoadResult(Map.of(), errors);
    }
    Collections.sort(files);
    Map<String, ServiceConfig> services = new TreeMap<>();
    for (Path p : files) {
      try {
        ServiceConfig c = load(p, warnings);
        services.put(c.name(), c);
      } catch (ConfigException e) {
        errors.add(e);
      }
    }
    return new LoadResult(services, errors);
  }

  private static boolean nameRoundTrips(Path p) {
    try {
      return Path.of(p.toString()).equals(p);
    } catch (java.nio.file.InvalidPathException e) {
      return false;
    }
  }

  /** Validates service_create content exactly like a file; errors name "NAME.yaml (service_create)". */
  public static ServiceConfig fromJson(String name, JsonNode content) throws ConfigException {
    return fromJson(name, content, w -> {});
  }

  /** As {@link #fromJson(String, JsonNode)}, reporting unknown keys to {@code warnings}. */
  public static ServiceConfig fromJson(String name, JsonNode content, Consumer<String> warnings)
      throws ConfigException {
    return fromJson(name, content, warnings, null);
  }

  /** As above, with a relative env_file read from {@code configDir} (null: not read). */
  public static ServiceConfig fromJson(String name, JsonNode content, Consumer<String> warnings, Path configDir)
      throws ConfigException {
    String file = name + SUFFIX + " (service_create)";
    checkName(file, name);
    return ServiceFields.fromJson(file, name, content, warnings, configDir);
  }

  /** Validates a service file's text; errors name "NAME.yaml (service_file_put)" and lines of the text. */
  public static ServiceConfig fromYaml(String name, String text, Consumer<String> warnings) throws ConfigException {
    return fromYaml(name, text, warnings, null);
  }

  /** As above, with a relative env_file read from {@code configDir} (null: not read). */
  public static ServiceConfig fromYaml(String name, String text, Consumer<String> warnings, Path configDir)
      throws ConfigException {
    String file = name + SUFFIX + " (service_file_put)";
    checkName(file, name);
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_FILE_BYTES) throw new ConfigException(file, 0, null, "file is larger than " + MAX_FILE_BYTES + " bytes");
    try {
      return ServiceFields.fromYaml(file, name, YamlTree.read(text), warnings, configDir);
    } catch (YamlTree.SyntaxError e) {
      throw new ConfigException(file, e.line, null, e.getMessage());
    } catch (StackOverflowError e) {
      throw tooDeep(file);
    }
  }

  /** Reads and validates {@code file}; a missing file is the caller's to report. */
  static ServiceConfig parse(Path file, Consumer<String> warnings)
      throws ConfigException, NoSuchFileException {
    String label = file.toString();
    String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
    if (!fileName.endsWith(SUFFIX)) throw new ConfigException(label, 0, null, "service files must end in .yaml");
    String name = fileName.substring(0, fileName.length() - SUFFIX.length());
    checkName(label, name);
    try {
      return ServiceFields.fromYaml(label, name, tree(file), warnings);
    } catch (StackOverflowError e) {
      throw tooDeep(label);
    }
  }

  /** The per-file guard behind Nesting.MAX_DEPTH: whatever else recurses, one file fails alone. */
  private static ConfigException tooDeep(String label) {
    return new ConfigException(label, 0, null, "too deeply nested to read (stack exhausted)");
  }

  /** The file's YAML with lines, with read and syntax problems as ConfigException. */
  static YamlTree tree(Path file) throws ConfigException, NoSuchFileException {
    try {
      return YamlTree.read(text(file));
    } catch (YamlTree.SyntaxError e) {
      throw new ConfigException(file.toString(), e.line, null, e.getMessage());
    }
  }

  /** The file's text, with read problems as ConfigException. */
  static String text(Path file) throws ConfigException, NoSuchFileException {
    String label = file.toString();
    try {
      return SmallFiles.read(file, MAX_FILE_BYTES);
    } catch (NoSuchFileException e) {
      throw e;
    } catch (SmallFiles.Refused e) {
      throw new ConfigException(label, 0, null, e.getMessage());
    } catch (CharacterCodingException e) {
      throw new ConfigException(label, 0, null, "file is not valid UTF-8");
    } catch (IOException e) {
      throw new ConfigException(label, 0, null, "cannot read file: " + e);
    }
  }

  private static void checkName(String file, String name) throws ConfigException {
    try {
      ServiceFiles.checkName(name);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(file, 0, null, "not a valid service name: " + e.getMessage());
    }
  }
}
