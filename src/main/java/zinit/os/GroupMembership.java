package zinit.os;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Best-effort membership without cgroups: the main process's process group (it is a session
 * leader, so pgid == its pid, and the kernel does not reuse a pid while it names a live group),
 * plus every descendant reached by ppid chains from the main process or from a process recorded
 * as a member by an earlier scan (so children re-parented to zinit stay members). A process that
 * leaves the group and is re-parented before any scan saw it is missed: that is why cgroups are
 * preferred.
 */
final class GroupMembership implements Membership {
  private final int mainPid;
  // Members seen by earlier scans, by identity (pid + start time), so pid reuse cannot alias.
  private final Set<ProcFs.Key> recorded = java.util.concurrent.ConcurrentHashMap.newKeySet();

  GroupMembership(ProcFs.Key main) {
    this.mainPid = main.pid();
    recorded.add(main);
  }

  @Override
  public synchronized List<Integer> candidates() {
    List<ProcFs.Stat> all = ProcFs.all();
    Map<Integer, List<ProcFs.Stat>> children = new HashMap<>();
    Deque<ProcFs.Stat> queue = new ArrayDeque<>();
    for (ProcFs.Stat s : all) {
      children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s);
      if (s.pgid() == mainPid || recorded.contains(s.key())) queue.add(s);
    }
    Set<ProcFs.Key> members = new HashSet<>();
    List<Integer> out = new ArrayList<>();
    while (!queue.isEmpty()) {
      ProcFs.Stat s = queue.poll();
      if (!members.add(s.key())) continue;
      if (!s.zombie()) out.add(s.pid());
      queue.addAll(children.getOrDefault(s.pid(), List.of()));
    }
    recorded.retainAll(members);
    recorded.addAll(members);
    if (out.remove(Integer.valueOf(mainPid))) out.addFirst(mainPid);
    return out;
  }

  @Override
  public boolean verify(ProcFs.Stat stat) {
    return !stat.zombie() && (stat.pgid() == mainPid || recorded.contains(stat.key()));
  }

  @Override
  public boolean cgroup() {
    return false;
  }
}
