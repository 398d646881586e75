package zinit.daemon;

import java.nio.file.Path;

/**
 * How `zinit init` was asked to run.
 *
 * @param socketGroup group name that may use the socket (socket 0660 then), or null for 0600
 * @param useCgroups false when cgroups are disabled (ZINIT_NO_CGROUPS=1 or --no-cgroups)
 */
public record DaemonOptions(
    Path configDir,
    Path socket,
    int bufferLines,
    boolean container,
    boolean debug,
    String socketGroup,
    boolean useCgroups) {}
