package zinit.daemon;

import java.nio.file.Path;

/**
 * How `zinit init` was asked to run.
 *
 * @param socketGroup group name that may use the socket (socket 0660 then), or null for 0600
 * @param useCgroups false when cgroups are disabled (ZINIT_NO_CGROUPS=1 or --no-cgroups)
 * @param logDir where {@code log: file} services write without a {@code log_file} ({@code
 *     --log-dir})
 * @param mainService container mode's main service ({@code --main}): when it ends on its own,
 *     zinit shuts down and exits with its exit code; null without one
 */
public record DaemonOptions(
    Path configDir,
    Path socket,
    int bufferLines,
    boolean container,
    boolean debug,
    String socketGroup,
    boolean useCgroups,
    Path logDir,
    String mainService) {
  public static final Path DEFAULT_LOG_DIR = Path.of("/var/log/zinit");

  public DaemonOptions(
      Path configDir, Path socket, int bufferLines, boolean container, boolean debug, String socketGroup, boolean useCgroups) {
    this(configDir, socket, bufferLines, container, debug, socketGroup, useCgroups, DEFAULT_LOG_DIR, null);
  }
}
