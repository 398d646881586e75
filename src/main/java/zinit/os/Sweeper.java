package zinit.os;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Shutdown's last sweep over zinit's whole tree: descendants by ppid chains from zinit (which
 * includes subreaped orphans), read from the kernel's per-thread children lists, and whatever is
 * left in zinit's cgroups. Each target is held by a pidfd opened before its membership is checked,
 * so nothing outside the tree is ever signalled.
 * Waits are events: poll on the pidfds for exits, the reaper's condition for reaping.
 */
final class Sweeper {
  /** How long SIGKILLed processes get to disappear (a process in D state may never). */
  static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Cgroup base; // null without cgroups
  private final Reaper reaper;
  private final Consumer<String> log;
  private final int self = Libc.getpid();
  private final Map<ProcFs.Key, Pidfd> targets = new LinkedHashMap<>();

  Sweeper(Cgroup base, Reaper reaper, Consumer<String> log) {
    this.base = base;
    this.reaper = reaper;
    this.log = log;
  }

  List<Integer> sweep(Duration grace) {
    try {
      long termDeadline = System.nanoTime() + grace.toNanos();
      collect(Flags.SIGTERM);
      // Nothing in zinit's tree, the usual end of a shutdown: nothing can appear in it either (zinit
      // spawns no more, and only a process in the tree could fork into it).
      if (targets.isEmpty()) return List.of();
      awaitGone(termDeadline, Flags.SIGTERM);
      if (base != null) base.tryKill();
      for (Pidfd p : targets.values()) p.trySignal(Flags.SIGKILL);
      awaitGone(System.nanoTime() + KILL_WAIT.toNanos(), Flags.SIGKILL);
      List<Integer> left = new ArrayList<>();
      for (Pidfd p : targets.values()) if (!gone(p)) left.add(p.pid());
      if (!left.isEmpty()) log.accept("sweep: could not remove " + left);
      return left;
    } finally {
      targets.values().forEach(Pidfd::close);
      targets.clear();
    }
  }

  /** Waits until every target is gone, signalling newcomers as they are found, or the deadline. */
  private void awaitGone(long deadline, int signal) {
    for (; ; ) {
      long reaps = reaper.reapCount();
      List<Pidfd> running = new ArrayList<>();
      boolean zombies = false;
      for (Pidfd p : targets.values()) {
        if (!p.exited()) running.add(p);
        else if (p.unreapedZombie()) zombies = true;
      }
      if (running.isEmpty() && !zombies && !collect(signal)) return;
      int wait = Waits.millisUntil(deadline);
      if (wait == 0) return;
      if (!running.isEmpty()) {
        Waits.pollIn(running.stream().mapToInt(Pidfd::fd).toArray(), wait);
      } else if (zombies) {
        try {
          reaper.awaitReapAfter(reaps, deadline);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      collect(signal);
    }
  }

  private boolean gone(Pidfd p) {
    return p.exited() && !p.unreapedZombie();
  }

  /** Finds tree members not yet targeted, holds them by pidfd and signals them. */
  private boolean collect(int signal) {
    boolean fresh = false;
    // Without the kernel's per-thread children lists, one pass over every process on the machine.
    Map<Integer, List<Integer>> byParent = ProcFs.HAS_CHILDREN_FILES ? null : childrenByParent();
    Deque<Integer> parents = new ArrayDeque<>(List.of(self));
    while (!parents.isEmpty()) {
      int parent = parents.poll();
      List<Integer> children =
          byParent == null ? ProcFs.children(parent) : byParent.getOrDefault(parent, List.of());
      for (int child : children) {
        // The parent was verified (or is zinit): a child whose ppid still names it after its
        // pidfd was opened is in our tree. Only verified processes are descended into, so the
        // children of a stranger that reused a pid are never taken for ours.
        Found found = target(child, st -> st.ppid() == parent, signal);
        if (found == Found.NEW) fresh = true;
        if (found != Found.REJECTED) parents.add(child);
      }
    }
    if (base != null) {
      for (int pid : base.procsRecursive()) {
        Found found = target(pid, st -> ProcFs.cgroupOf(st.pid()).map(base::contains).orElse(false), signal);
        if (found == Found.NEW) fresh = true;
      }
    }
    return fresh;
  }

  private static Map<Integer, List<Integer>> childrenByParent() {
    Map<Integer, List<Integer>> out = new HashMap<>();
    for (ProcFs.Stat s : ProcFs.all()) out.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s.pid());
    return out;
  }

  private enum Found {
    NEW,
    KNOWN,
    REJECTED
  }

  private Found target(int pid, java.util.function.Predicate<ProcFs.Stat> member, int signal) {
    Optional<Pidfd> fd = Pidfd.tryOpen(pid);
    if (fd.isEmpty()) return Found.REJECTED; // ESRCH: already gone
    Optional<ProcFs.Stat> stat = ProcFs.stat(pid);
    if (stat.isPresent() && targets.containsKey(stat.get().key())) {
      fd.get().close();
      return Found.KNOWN;
    }
    if (stat.isEmpty() || !member.test(stat.get())) {
      fd.get().close();
      return Found.REJECTED;
    }
    Pidfd p = fd.get();
    targets.put(stat.get().key(), p);
    if (signal == Flags.SIGTERM) {
      p.trySignal(Flags.SIGTERM);
      p.trySignal(Flags.SIGCONT); // a stopped process must run to act on SIGTERM
    } else {
      p.trySignal(signal);
    }
    return Found.NEW;
  }
}
