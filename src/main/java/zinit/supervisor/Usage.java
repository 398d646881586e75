package zinit.supervisor;

/**
 * Cumulative resource use of one unit, for metrics (unlike {@link ProcessStats}, no rates, so
 * reading it disturbs nothing).
 *
 * @param cpuSeconds CPU time of the unit (its cgroup's usage when tracked, else the sum over its
 *     live processes)
 * @param memoryBytes sum of RSS over its live processes
 * @param processes how many live processes it has
 */
public record Usage(double cpuSeconds, long memoryBytes, int processes) {}
