package zinit.supervisor;

import java.util.List;

/**
 * Resource use of one spawned unit.
 *
 * @param memory RSS in bytes of the main process
 * @param cpu CPU use in percent (100 = one core) of the main process since the previous sample
 * @param children every live descendant, each with its own figures
 * @param totalMemory sum of RSS over all processes of the unit
 * @param totalCpu sum of CPU percent over all processes of the unit (cgroup cpu.stat when
 *     available)
 * @param cgroup the unit's cgroup figures where its limits are applied (memory_current bytes,
 *     cpu_usage_usec, pids_current) and the limits themselves; empty without limits
 */
public record ProcessStats(
    int pid,
    long memory,
    double cpu,
    List<ChildStats> children,
    long totalMemory,
    double totalCpu,
    java.util.Map<String, Object> cgroup) {

  public ProcessStats {
    cgroup = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(cgroup));
  }

  public ProcessStats(
      int pid, long memory, double cpu, List<ChildStats> children, long totalMemory, double totalCpu) {
    this(pid, memory, cpu, children, totalMemory, totalCpu, java.util.Map.of());
  }

  /** These figures with the cgroup's. */
  public ProcessStats withCgroup(java.util.Map<String, Object> figures) {
    return new ProcessStats(pid, memory, cpu, children, totalMemory, totalCpu, figures);
  }

  public record ChildStats(int pid, long memory, double cpu) {}
}
