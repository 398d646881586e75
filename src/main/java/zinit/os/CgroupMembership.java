package zinit.os;

import java.util.ArrayList;
import java.util.List;

/**
 * Members are exactly the processes in the unit's cgroup and every cgroup below it: a service that
 * runs containers or its own supervisor makes sub-cgroups, and what it puts there is still its own.
 */
final class CgroupMembership implements Membership {
  private final Cgroup cgroup;

  CgroupMembership(Cgroup cgroup) {
    this.cgroup = cgroup;
  }

  @Override
  public List<Integer> candidates() {
    List<Integer> out = new ArrayList<>();
    for (int pid : cgroup.procsRecursive()) {
      if (ProcFs.stat(pid).map(s -> !s.zombie()).orElse(false)) out.add(pid);
    }
    return out;
  }

  @Override
  public boolean verify(ProcFs.Stat stat) {
    return ProcFs.cgroupOf(stat.pid()).map(cgroup::contains).orElse(false);
  }

  @Override
  public boolean cgroup() {
    return true;
  }
}
