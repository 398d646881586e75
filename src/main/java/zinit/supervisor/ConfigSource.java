package zinit.supervisor;

import java.util.Map;
import zinit.config.ConfigLoader;
import zinit.config.ServiceConfig;

/** Where `monitor` reads service files from, and the environment a service gets. */
public interface ConfigSource {
  /** Loads {@code <name>.yaml}; NotFound when there is no such file, ConfigError when invalid. */
  ServiceConfig load(String name) throws ZinitException;

  /** Every service file of the config dir, and one error per file that could not be used. */
  ConfigLoader.LoadResult loadAll();

  /** The complete environment of a process of this service. */
  Map<String, String> environment(ServiceConfig config);
}
