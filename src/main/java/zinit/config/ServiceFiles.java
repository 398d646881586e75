package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/** TEMPORARY STUB until branch wt-config lands the real one; same public signatures. */
public final class ServiceFiles {
  private final Path dir;

  public ServiceFiles(Path dir) {
    this.dir = dir;
  }

  public static String checkName(String name) {
    if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".") || name.contains("\0"))
      throw new IllegalArgumentException("invalid service name '" + name + "'");
    return name;
  }

  public JsonNode readJson(String name) throws IOException {
    return new YAMLMapper().readTree(Files.readString(dir.resolve(checkName(name) + ".yaml")));
  }

  public void create(String name, JsonNode content) throws ConfigException, FileAlreadyExistsException, IOException {
    if (!content.path("exec").isTextual()) throw new ConfigException(name + ".yaml (service_create)", 0, "exec", "is required");
    Path p = dir.resolve(checkName(name) + ".yaml");
    if (Files.exists(p)) throw new FileAlreadyExistsException(p.toString());
    Files.writeString(p, new YAMLMapper().writeValueAsString(content));
    new ObjectMapper();
  }

  public void delete(String name) throws IOException {
    Files.delete(dir.resolve(checkName(name) + ".yaml"));
  }
}
