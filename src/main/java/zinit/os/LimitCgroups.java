package zinit.os;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import zinit.config.ResourceLimits;
import zinit.supervisor.SpawnException;

/**
 * Resource limits of units, through cgroup v2 where the unit's v2 cgroup can have the controller,
 * else through a per-unit cgroup in the controller's v1 hierarchy (hybrid hosts, where memory,
 * pids and cpu sit on v1). v1 cgroups live under one base per hierarchy that this host creates in
 * its own v1 cgroup, and are entered by the spawn's trampoline like the v2 one. Tracking and
 * killing stay on v2. The host's controller layout is never changed: at most zinit's own base
 * cgroup gets a controller in its subtree_control that its parent already delegates.
 */
final class LimitCgroups {
  private static final long CPU_PERIOD_US = 100_000;

  private final Cgroup v2base; // null without v2 tracking
  private final Map<String, Path> v1own; // controller -> our own cgroup dir in its v1 hierarchy
  private final String baseName;
  private final Consumer<String> log;
  private final Map<String, Path> v1bases = new ConcurrentHashMap<>();

  LimitCgroups(Cgroup v2base, Map<String, Path> v1own, String baseName, Consumer<String> log) {
    this.v2base = v2base;
    this.v1own = v1own;
    this.baseName = baseName;
    this.log = log;
  }

  /** The limits of one unit, as applied: what the trampoline enters, where OOMs are counted. */
  record Applied(Path v2dir, Map<String, Path> v1dirs, List<String> unapplied) {
    /** v1 cgroups to enter before the program runs. */
    List<Path> enter() {
      return List.copyOf(v1dirs.values());
    }

    /** OOM kills in the unit: memory.events (v2) or memory.oom_control / failcnt (v1). */
    long oomKills() {
      Path v1 = v1dirs.get("memory");
      if (v1 != null) {
        Optional<String> control = ProcFs.read(v1.resolve("memory.oom_control"));
        long kills = control.map(t -> field(t, "oom_kill")).orElse(-1L);
        if (kills >= 0) return kills;
        return ProcFs.read(v1.resolve("memory.failcnt")).map(t -> Long.parseLong(t.trim()) > 0 ? 1L : 0L).orElse(0L);
      }
      if (v2dir != null) {
        return ProcFs.read(v2dir.resolve("memory.events")).map(t -> Math.max(0, field(t, "oom_kill"))).orElse(0L);
      }
      return 0;
    }

    /** memory_current, cpu_usage_usec and pids_current, from where each limit is applied. */
    Map<String, Object> stats() {
      Map<String, Object> out = new LinkedHashMap<>();
      Path mem = v1dirs.get("memory");
      Optional<String> memory =
          mem != null ? ProcFs.read(mem.resolve("memory.usage_in_bytes"))
              : v2dir == null ? Optional.empty() : ProcFs.read(v2dir.resolve("memory.current"));
      memory.ifPresent(t -> out.put("memory_current", Long.parseLong(t.trim())));
      if (v2dir != null) {
        ProcFs.read(v2dir.resolve("cpu.stat")).map(t -> field(t, "usage_usec")).filter(v -> v >= 0)
            .ifPresent(v -> out.put("cpu_usage_usec", v));
      }
      Path pids = v1dirs.get("pids");
      Optional<String> current =
          pids != null ? ProcFs.read(pids.resolve("pids.current"))
              : v2dir == null ? Optional.empty() : ProcFs.read(v2dir.resolve("pids.current"));
      current.ifPresent(t -> out.put("pids_current", Long.parseLong(t.trim())));
      return out;
    }

    /** rmdir of the v1 cgroups; call once the unit is empty. */
    void remove(Consumer<String> log) {
      for (Path d : v1dirs.values()) {
        try {
          Files.deleteIfExists(d);
        } catch (IOException e) {
          log.accept("limits: cannot remove " + d + ": " + e.getMessage());
        }
      }
    }
  }

  /** "key N" from a flat-keyed cgroup file; -1 when absent. */
  static long field(String text, String key) {
    for (String line : text.split("\n")) {
      if (line.startsWith(key + " ")) return Long.parseLong(line.substring(key.length() + 1).trim());
    }
    return -1;
  }

  /** Applies {@code l} to a new unit; {@code v2unit} is its v2 cgroup (null without one). */
  Applied apply(String unit, Cgroup v2unit, ResourceLimits l) throws SpawnException {
    Map<String, Map<String, String>> wanted = new LinkedHashMap<>(); // controller -> v1 file -> value
    Map<String, Map<String, String>> v2files = new LinkedHashMap<>();
    if (l.memory() > 0 || l.memoryHigh() > 0) {
      Map<String, String> v1 = new LinkedHashMap<>();
      Map<String, String> v2 = new LinkedHashMap<>();
      if (l.memory() > 0) {
        v1.put("memory.limit_in_bytes", String.valueOf(l.memory()));
        v2.put("memory.max", String.valueOf(l.memory()));
      }
      if (l.memoryHigh() > 0) {
        v1.put("memory.soft_limit_in_bytes", String.valueOf(l.memoryHigh()));
        v2.put("memory.high", String.valueOf(l.memoryHigh()));
      }
      wanted.put("memory", v1);
      v2files.put("memory", v2);
    }
    if (l.cpu() > 0) {
      long quota = Math.round(l.cpu() * CPU_PERIOD_US);
      Map<String, String> v1 = new LinkedHashMap<>();
      v1.put("cpu.cfs_period_us", String.valueOf(CPU_PERIOD_US));
      v1.put("cpu.cfs_quota_us", String.valueOf(quota));
      wanted.put("cpu", v1);
      v2files.put("cpu", Map.of("cpu.max", quota + " " + CPU_PERIOD_US));
    }
    if (l.pids() > 0) {
      wanted.put("pids", Map.of("pids.max", String.valueOf(l.pids())));
      v2files.put("pids", Map.of("pids.max", String.valueOf(l.pids())));
    }
    Map<String, Path> v1dirs = new LinkedHashMap<>();
    List<String> unapplied = new ArrayList<>();
    Path v2dir = v2unit == null ? null : v2unit.dir();
    try {
      for (var e : wanted.entrySet()) {
        String controller = e.getKey();
        if (v2unit != null && v2Has(controller, v2unit)) {
          for (var f : v2files.get(controller).entrySet()) write(v2unit.dir().resolve(f.getKey()), f.getValue());
        } else if (v1own.containsKey(controller)) {
          Path dir = v1base(controller).resolve(NativeProcessHost.sanitize(unit) + "-" + System.nanoTime());
          Files.createDirectory(dir);
          v1dirs.put(controller, dir);
          for (var f : e.getValue().entrySet()) write(dir.resolve(f.getKey()), f.getValue());
        } else {
          unapplied.add(controller);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      new Applied(v2dir, v1dirs, unapplied).remove(log);
      throw new SpawnException("cannot apply limits to " + unit + ": " + e.getMessage(), e);
    }
    return new Applied(v2dir, v1dirs, List.copyOf(unapplied));
  }

  /** Whether the unit's v2 cgroup has {@code controller}, enabling it in our base if delegated. */
  private boolean v2Has(String controller, Cgroup unit) {
    Path probe = unit.dir().resolve(controller + ".max"); // memory.max, cpu.max, pids.max
    if (Files.exists(probe)) return true;
    if (v2base == null) return false;
    boolean delegated =
        ProcFs.read(v2base.dir().resolve("cgroup.controllers"))
            .map(t -> List.of(t.trim().split("\\s+")).contains(controller))
            .orElse(false);
    if (!delegated) return false;
    try {
      write(v2base.dir().resolve("cgroup.subtree_control"), "+" + controller);
    } catch (IOException e) {
      log.accept("limits: cannot enable " + controller + " in " + v2base + ": " + e.getMessage());
      return false;
    }
    return Files.exists(probe);
  }

  private Path v1base(String controller) throws IOException {
    Path existing = v1bases.get(controller);
    if (existing != null) return existing;
    synchronized (v1bases) {
      Path base = v1bases.get(controller);
      if (base == null) {
        base = v1own.get(controller).resolve(baseName);
        Files.createDirectories(base);
        v1bases.put(controller, base);
      }
      return base;
    }
  }

  /** Removes the v1 bases (their units are gone by then). */
  void close() {
    for (Path base : v1bases.values()) {
      List<Path> children = new ArrayList<>();
      try (var s = Files.newDirectoryStream(base, Files::isDirectory)) {
        s.forEach(children::add);
      } catch (IOException e) {
        log.accept("limits: cannot list " + base + ": " + e.getMessage());
      }
      for (Path c : children) {
        try {
          Files.deleteIfExists(c);
        } catch (IOException e) {
          log.accept("limits: cannot remove " + c + ": " + e.getMessage());
        }
      }
      try {
        Files.deleteIfExists(base);
      } catch (IOException e) {
        log.accept("limits: cannot remove " + base + ": " + e.getMessage());
      }
    }
  }

  private static void write(Path file, String value) throws IOException {
    Files.writeString(file, value, StandardOpenOption.WRITE);
  }

  /**
   * Our own cgroup directory in each v1 hierarchy that has memory, pids or cpu: the "cgroup"
   * mounts of mountinfo joined with /proc/self/cgroup. Pure, for fixture tests.
   */
  static Map<String, Path> v1Dirs(String mountinfo, String procCgroup) {
    Map<String, Path> out = new LinkedHashMap<>();
    for (MountInfo m : MountInfo.parse(mountinfo)) {
      if (!m.type().equals("cgroup")) continue;
      List<String> options = List.of(m.superOptions().split(","));
      for (String controller : List.of("memory", "pids", "cpu")) {
        if (!options.contains(controller) || out.containsKey(controller)) continue;
        String own = ownPath(procCgroup, controller);
        if (own == null) continue;
        m.dirOf(own).ifPresent(dir -> out.put(controller, dir));
      }
    }
    return out;
  }

  private static String ownPath(String procCgroup, String controller) {
    for (String line : procCgroup.split("\n")) {
      String[] f = line.split(":", 3);
      if (f.length == 3 && List.of(f[1].split(",")).contains(controller)) return f[2];
    }
    return null;
  }

  /** The v1 dirs of this process, keeping only writable ones. */
  static Map<String, Path> v1Dirs() {
    Optional<String> mountinfo = ProcFs.read(Path.of("/proc/self/mountinfo"));
    Optional<String> cgroup = ProcFs.read(Path.of("/proc/self/cgroup"));
    if (mountinfo.isEmpty() || cgroup.isEmpty()) return Map.of();
    Map<String, Path> out = new LinkedHashMap<>();
    v1Dirs(mountinfo.get(), cgroup.get()).forEach((c, d) -> {
      if (Files.isDirectory(d) && Files.isWritable(d)) out.put(c, d);
    });
    return out;
  }
}
