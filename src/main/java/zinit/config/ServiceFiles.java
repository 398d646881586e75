package zinit.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The service files of one config directory, as the API's create/get/delete see them. Every name
 * is checked so that no request can reach outside the directory.
 */
public final class ServiceFiles {
  /** Longest name: "NAME.yaml" must fit in one 255-byte file name. */
  public static final int MAX_NAME_BYTES = 255 - ConfigLoader.SUFFIX.length();

  private static final Set<PosixFilePermission> MODE_0644 = PosixFilePermissions.fromString("rw-r--r--");
  /**
   * Built on the first service_create, not with this class: reading service files needs only the
   * YAML parser, and building a mapper costs ~25 ms of every daemon's start.
   */
  private static final class Writer {
    static final YAMLMapper YAML =
        YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build();
  }

  private final Path dir;

  public ServiceFiles(Path configDir) {
    this.dir = configDir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  /**
   * Returns {@code name} if it is a plain service name: non-empty, at most {@link #MAX_NAME_BYTES}
   * UTF-8 bytes, no '/', '\', NUL or control characters, not starting with '.' (which also
   * excludes "." and "..").
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static String checkName(String name) {
    if (name == null || name.isEmpty()) throw new IllegalArgumentException("service name is empty");
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          "service name is " + bytes + " bytes long, at most " + MAX_NAME_BYTES + " are allowed");
    }
    if (name.startsWith(".")) throw new IllegalArgumentException("service name must not start with '.'");
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\') throw new IllegalArgumentException("service name must not contain '" + c + "'");
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            String.format("service name must not contain control character U+%04X", (int) c));
      }
    }
    return name;
  }

  /** The file of service {@code name}, always directly inside the config dir. */
  public Path pathOf(String name) {
    Path p = dir.resolve(checkName(name) + ConfigLoader.SUFFIX).normalize();
    if (!dir.equals(p.getParent())) throw new IllegalArgumentException("service name '" + name + "' leaves the config dir");
    return p;
  }

  public boolean exists(String name) {
    return Files.exists(pathOf(name), LinkOption.NOFOLLOW_LINKS);
  }

  public ServiceConfig read(String name) throws ConfigException, NoSuchFileException {
    return read(name, w -> {});
  }

  public ServiceConfig read(String name, Consumer<String> warnings) throws ConfigException, NoSuchFileException {
    return ConfigLoader.parse(pathOf(name), warnings);
  }

  /** The service file's YAML as a JSON tree, as written (service_get). */
  public JsonNode readJson(String name) throws ConfigException, NoSuchFileException {
    return ConfigLoader.tree(pathOf(name)).root();
  }

  public void create(String name, JsonNode content)
      throws ConfigException, FileAlreadyExistsException, IOException {
    create(name, content, w -> {});
  }

  /**
   * Validates {@code content} like a service file, then writes it as YAML atomically: a temp file in
   * the same dir (hidden, so a concurrent loadDir skips it), fsync, then a hard link to the final name (which, unlike rename, fails instead of
   * replacing a file created meanwhile). Invalid content writes nothing.
   */
  public void create(String name, JsonNode content, Consumer<String> warnings)
      throws ConfigException, FileAlreadyExistsException, IOException {
    Path target = pathOf(name);
    Nesting.check(name + ConfigLoader.SUFFIX + " (service_create)", content);
    ConfigLoader.fromJson(name, content, warnings, dir);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(target.toString());
    writeAtomically(target, toYaml(content), false);
  }

  private void writeAtomically(Path target, byte[] yaml, boolean replace) throws IOException {
    Path temp = Files.createTempFile(dir, ".create-", ".tmp", PosixFilePermissions.asFileAttribute(MODE_0644));
    try {
      Files.setPosixFilePermissions(temp, MODE_0644); // the umask may have narrowed it
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(yaml);
        while (buf.hasRemaining()) ch.write(buf);
        ch.force(true);
      }
      if (replace) Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      else Files.createLink(target, temp);
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDir();
  }

  /** The service file's text, as written (service_file_get). */
  public String readText(String name) throws ConfigException, NoSuchFileException {
    return ConfigLoader.text(pathOf(name));
  }

  /**
   * Validates {@code yaml} as the file of service {@code name} (errors name lines of this text),
   * then writes it verbatim, comments included, like {@link #create}. With {@code replace} an
   * existing file is replaced by an atomic rename, so readers see the old file or the new one.
   */
  public void write(String name, String yaml, boolean replace, Consumer<String> warnings)
      throws ConfigException, FileAlreadyExistsException, IOException {
    Path target = pathOf(name);
    ConfigLoader.fromYaml(name, yaml, warnings, dir);
    if (!replace && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(target.toString());
    writeAtomically(target, yaml.getBytes(StandardCharsets.UTF_8), replace);
  }

  public void delete(String name) throws NoSuchFileException, IOException {
    Path file = pathOf(name);
    // Files.delete also removes an empty directory: NAME.yaml as a directory is no service file
    if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS))
      throw new IOException(file + " is a directory, not a service file; not removed");
    Files.delete(file);
    syncDir();
  }

  private static byte[] toYaml(JsonNode content) throws IOException {
    try {
      return Writer.YAML.writeValueAsBytes(content);
    } catch (JsonProcessingException e) {
      throw new IOException("cannot write service as YAML: " + e.getOriginalMessage(), e);
    }
  }

  /** Makes the new or removed directory entry durable; some file systems cannot, which is harmless. */
  private void syncDir() {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // best effort: the entry is in place, only its durability across a crash is not guaranteed
    }
  }
}
