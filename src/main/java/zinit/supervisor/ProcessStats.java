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
 */
public record ProcessStats(
    int pid, long memory, double cpu, List<ChildStats> children, long totalMemory, double totalCpu) {

  public record ChildStats(int pid, long memory, double cpu) {}
}
