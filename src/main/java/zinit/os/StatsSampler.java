package zinit.os;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import zinit.supervisor.ProcessStats;

/**
 * CPU percentages from the change of utime+stime between two calls, per process (keyed by pid and
 * start time, so a reused pid starts afresh). A process's first sample is measured since its
 * start, so stats() answers at once without sleeping.
 */
final class StatsSampler {
  private record Sample(long ticks, long nanos) {}

  private final Map<ProcFs.Key, Sample> previous = new HashMap<>();
  private final long createdNanos = System.nanoTime();
  private Sample previousCgroup;

  synchronized ProcessStats sample(int mainPid, List<Integer> members, Cgroup cgroup) {
    long now = System.nanoTime();
    double uptime = ProcFs.uptimeSeconds();
    Map<ProcFs.Key, Sample> seen = new HashMap<>();
    long mainMemory = 0;
    double mainCpu = 0;
    long totalMemory = 0;
    double totalCpu = 0;
    List<ProcessStats.ChildStats> children = new ArrayList<>();
    for (int pid : members) {
      var stat = ProcFs.stat(pid);
      if (stat.isEmpty() || stat.get().zombie()) continue;
      ProcFs.Stat s = stat.get();
      long ticks = s.utime() + s.stime();
      Sample before = previous.get(s.key());
      double cpu;
      if (before != null && now > before.nanos()) {
        cpu = percent(ticks - before.ticks(), (now - before.nanos()) / 1e9);
      } else {
        cpu = percent(ticks, uptime - (double) s.starttime() / ProcFs.Units.CLK_TCK);
      }
      seen.put(s.key(), new Sample(ticks, now));
      long memory = ProcFs.rssBytes(pid);
      totalMemory += memory;
      totalCpu += cpu;
      if (pid == mainPid) {
        mainMemory = memory;
        mainCpu = cpu;
      } else {
        children.add(new ProcessStats.ChildStats(pid, memory, cpu));
      }
    }
    previous.clear();
    previous.putAll(seen);
    if (cgroup != null) {
      OptionalLong usage = cgroup.cpuUsageMicros();
      if (usage.isPresent()) totalCpu = cgroupPercent(usage.getAsLong(), now);
    }
    return new ProcessStats(mainPid, mainMemory, mainCpu, List.copyOf(children), totalMemory, totalCpu);
  }

  private double cgroupPercent(long micros, long now) {
    long ticks = micros; // microseconds as the unit here
    Sample before = previousCgroup == null ? new Sample(0, createdNanos) : previousCgroup;
    previousCgroup = new Sample(ticks, now);
    double seconds = (now - before.nanos()) / 1e9;
    return seconds <= 0 ? 0 : Math.max(0, (ticks - before.ticks()) / 1e6 / seconds * 100);
  }

  private static double percent(long ticks, double seconds) {
    if (seconds <= 0) return 0;
    return Math.max(0, (double) ticks / ProcFs.Units.CLK_TCK / seconds * 100);
  }
}
