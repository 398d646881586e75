package zinit.os;

import java.util.ArrayList;
import java.util.List;

/** Members are exactly the processes in the unit's cgroup. */
final class CgroupMembership implements Membership {
  private final Cgroup cgroup;

  CgroupMembership(Cgroup cgroup) {
    this.cgroup = cgroup;
  }

  @Override
  public List<Integer> candidates() {
    List<Integer> out = new ArrayList<>();
    for (int pid : cgroup.procs()) {
      if (ProcFs.stat(pid).map(s -> !s.zombie()).orElse(false)) out.add(pid);
    }
    return out;
  }

  @Override
  public boolean verify(ProcFs.Stat stat) {
    return ProcFs.cgroupOf(stat.pid()).map(cgroup.procPath()::equals).orElse(false);
  }

  @Override
  public boolean cgroup() {
    return true;
  }
}
