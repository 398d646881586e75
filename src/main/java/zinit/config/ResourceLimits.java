package zinit.config;

/**
 * {@code limits:} of a service, applied before its code runs. Each is 0 when not set.
 *
 * @param memory bytes: memory.max (v2) or memory.limit_in_bytes (v1)
 * @param memoryHigh bytes: memory.high (v2) or memory.soft_limit_in_bytes (v1, the nearest)
 * @param cpu cores: cpu.max (v2) or cpu.cfs_quota_us over a 100 ms period (v1)
 * @param pids pids.max
 * @param nofile RLIMIT_NOFILE (soft and hard) of the service's processes
 */
public record ResourceLimits(long memory, long memoryHigh, double cpu, long pids, long nofile) {
  /** Whether any limit needs a cgroup controller (all but nofile do). */
  public boolean needsCgroups() {
    return memory > 0 || memoryHigh > 0 || cpu > 0 || pids > 0;
  }

  /** "256M" style, for messages and status. */
  public static String size(long bytes) {
    String[] units = {"", "K", "M", "G", "T"};
    int i = 0;
    long v = bytes;
    while (i < units.length - 1 && v % 1024 == 0 && v >= 1024) {
      v /= 1024;
      i++;
    }
    return v + units[i];
  }

  /** What status shows, e.g. "memory=256M cpu=0.5 pids=100". */
  public String display() {
    StringBuilder b = new StringBuilder();
    if (memory > 0) b.append(" memory=").append(size(memory));
    if (memoryHigh > 0) b.append(" memory_high=").append(size(memoryHigh));
    if (cpu > 0) b.append(" cpu=").append(cpu);
    if (pids > 0) b.append(" pids=").append(pids);
    if (nofile > 0) b.append(" nofile=").append(nofile);
    return b.toString().strip();
  }
}
