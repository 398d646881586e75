package zinit.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Crash recovery: kills and removes what a zinit of the same socket left running when it died
 * without a shutdown, so that after a restart no service runs twice. Call it only while holding
 * the socket (so no live zinit serves on it) and before any service starts.
 *
 * <p>A cgroup is taken as that zinit's only when its marker ({@link InstanceState#MARKER}) names
 * the same socket and a zinit process that is no longer alive (pid and start time), or, where the
 * file system keeps no xattrs, when the state file names it and its name is the one zinit gives
 * its base cgroups; and in both cases only when the flock(2) its live owner holds on it
 * ({@link CgroupLock}) can be taken: a zinit that is PID 1 of another namespace is alive though
 * pid 1 here is someone else. Without cgroups, the state file's unit pids are signalled only through a pidfd
 * opened before their start time is checked, so a reused pid is never signalled (best effort:
 * processes that left the unit's session and process group are not found).
 */
final class Leftovers {
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Path socket;
  private final InstanceState.Owner self;
  private final Consumer<String> log;

  Leftovers(Path socket, InstanceState.Owner self, Consumer<String> log) {
    this.socket = socket;
    this.self = self;
    this.log = log;
  }

  void recover() {
    Optional<InstanceState.Saved> saved = InstanceState.read(socket, log);
    Optional<CgroupMount> mount = NativeProcessHost.cgroupMount();
    if (mount.isPresent()) {
      for (Path dir : candidates(mount.get(), saved)) recoverCgroup(dir, saved);
    }
    saved.ifPresent(this::recoverUnits);
  }

  /** zinit-* cgroups beside the one we will create, plus the one the state file names. */
  private static Set<Path> candidates(CgroupMount mount, Optional<InstanceState.Saved> saved) {
    Set<Path> out = new LinkedHashSet<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(mount.ownDir(), "zinit-*")) {
      for (Path p : dirs) if (Files.isDirectory(p)) out.add(p);
    } catch (IOException e) {
      // nothing listed here; the state file's cgroup is still looked at
    }
    saved.flatMap(InstanceState.Saved::cgroup)
        .filter(p -> p.startsWith(mount.mount()) && Files.isDirectory(p))
        .ifPresent(out::add);
    return out;
  }

  private void recoverCgroup(Path dir, Optional<InstanceState.Saved> saved) {
    Optional<InstanceState.Owner> owner = InstanceState.marker(dir);
    if (owner.isEmpty()) owner = saved.filter(s -> namedBy(s, dir)).map(InstanceState.Saved::owner);
    if (owner.isEmpty() || !owner.get().socket().equals(self.socket())) return; // not ours
    InstanceState.Owner o = owner.get();
    if (o.equals(self)) return;
    try (CgroupLock lock = CgroupLock.tryTake(dir)) {
      if (lock.outcome == CgroupLock.Outcome.HELD_BY_ANOTHER) {
        // its pid may be of another PID namespace (a container's PID 1 on the same socket path)
        log.accept("crash recovery: " + dir + " is locked by a live zinit (pid " + o.pid() + " in its own PID namespace?); left alone");
        return;
      }
      recoverUnlocked(dir, o);
    }
  }

  private void recoverUnlocked(Path dir, InstanceState.Owner o) {
    if (o.alive()) {
      log.accept("crash recovery: " + dir + " belongs to zinit pid " + o.pid() + ", which is alive; left alone");
      return;
    }
    Cgroup cg = new Cgroup(dir, "");
    List<String> units = cg.children().stream().map(c -> c.dir().getFileName().toString()).toList();
    List<Integer> pids = cg.procsRecursive();
    if (!pids.isEmpty() && !cg.tryKill()) {
      log.accept("crash recovery: cannot kill " + pids + " in " + dir + ": no cgroup.kill (Linux 5.14 or later needed)");
      return;
    }
    boolean empty = Waits.cgroupEmpty(cg, System.nanoTime() + KILL_WAIT.toNanos());
    List<String> why = new ArrayList<>();
    boolean removed = empty && cg.tryRemove(why);
    log.accept("crash recovery: zinit pid " + o.pid() + " of this socket died leaving " + dir
        + " with units " + units + " and processes " + pids + "; "
        + (removed ? "killed and removed" : "not all removed: " + (empty ? why : "processes left after SIGKILL")));
  }

  /** Without a marker, only the cgroup the state file names, with the name zinit gave it. */
  private static boolean namedBy(InstanceState.Saved saved, Path dir) {
    String name = dir.getFileName().toString();
    return saved.cgroup().filter(dir::equals).isPresent()
        && name.startsWith("zinit-")
        && (name.endsWith("-" + saved.owner().pid()) || name.contains("-" + saved.owner().pid() + "-"));
  }

  private void recoverUnits(InstanceState.Saved saved) {
    if (saved.units().isEmpty() || !saved.owner().socket().equals(self.socket()) || saved.owner().equals(self)) return;
    if (saved.owner().alive()) {
      log.accept("crash recovery: zinit pid " + saved.owner().pid() + " of this socket is alive; its units are left alone");
      return;
    }
    List<Pidfd> killed = new ArrayList<>();
    try {
      for (InstanceState.Unit u : saved.units()) {
        List<Integer> pids = killUnit(u, killed);
        log.accept("crash recovery: unit " + u.name() + " (pid " + u.pid() + ") of dead zinit pid " + saved.owner().pid()
            + (pids.isEmpty() ? ": already gone" : ": killed " + pids));
      }
      long deadline = System.nanoTime() + KILL_WAIT.toNanos();
      for (Pidfd p : killed) {
        while (!p.exited() && System.nanoTime() < deadline) Waits.pollIn(new int[] {p.fd()}, Waits.millisUntil(deadline));
        if (!p.exited()) log.accept("crash recovery: pid " + p.pid() + " still there after SIGKILL");
      }
    } finally {
      killed.forEach(Pidfd::close);
    }
  }

  /**
   * SIGKILLs the unit's main process and every process of its session or process group, each
   * through a pidfd opened before it is checked. Only while the main process is the one recorded:
   * otherwise its session could be another's.
   */
  private static List<Integer> killUnit(InstanceState.Unit u, List<Pidfd> killed) {
    Optional<Pidfd> main = verified(u.pid(), s -> s.starttime() == u.starttime());
    if (main.isEmpty()) return List.of();
    List<Integer> pids = new ArrayList<>();
    for (ProcFs.Stat s : ProcFs.all()) {
      if (s.pid() == u.pid() || (s.sid() != u.pid() && s.pgid() != u.pid())) continue;
      verified(s.pid(), now -> now.starttime() == s.starttime() && (now.sid() == u.pid() || now.pgid() == u.pid()))
          .ifPresent(p -> send(p, killed, pids));
    }
    send(main.get(), killed, pids);
    return pids;
  }

  private static void send(Pidfd p, List<Pidfd> killed, List<Integer> pids) {
    killed.add(p);
    if (p.trySignal(Flags.SIGKILL)) pids.add(p.pid());
  }

  /** A pidfd of {@code pid} if, after it is open, the process still passes {@code check}. */
  private static Optional<Pidfd> verified(int pid, java.util.function.Predicate<ProcFs.Stat> check) {
    Optional<Pidfd> fd = Pidfd.tryOpen(pid);
    if (fd.isEmpty()) return fd;
    if (ProcFs.stat(pid).filter(s -> s.state() != 'Z' && check.test(s)).isPresent()) return fd;
    fd.get().close();
    return Optional.empty();
  }
}
