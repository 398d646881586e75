package zinit.os;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import zinit.supervisor.SpawnException;
import zinit.supervisor.SpawnSpec;

/**
 * What posix_spawn starts when a service needs steps between fork and its program: a /bin/sh
 * that enters the unit's cgroups (v2, and the v1 ones that carry limits), sets RLIMIT_NOFILE,
 * gives back the oom_score_adj zinit lowered for itself, then execs the program, through setpriv (util-linux) when it runs as another user, so that
 * groups, gid and uid change last, after the cgroup writes that need root. The service's argv is
 * passed as arguments, never interpolated; the script holds only zinit's own paths and numbers.
 */
final class Trampoline {
  static final String SH = NativeProcessHost.SH;
  static final String SETPRIV = "/usr/bin/setpriv";

  /** What to hand to posix_spawn. */
  record Command(String path, List<String> argv, Map<String, String> env) {}

  /**
   * Variables that make the dynamic loader, libc or the shell load code or files of the
   * environment's choosing: glibc's own list for set-user-ID programs, and what makes a bash
   * that is /bin/sh run code (exported functions, a trace prompt). A service that runs as another
   * user gets them in its program only: the trampoline's sh and setpriv run as root before it.
   */
  private static final Set<String> UNSAFE_AS_ROOT = Set.of(
      "GCONV_PATH", "GETCONF_DIR", "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "NIS_PATH", "NLSPATH",
      "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR", "TZDIR", "ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS",
      "PS4", "IFS", "CDPATH", "GLOBIGNORE");
  private static final List<String> UNSAFE_PREFIXES = List.of("LD_", "MALLOC_", "GLIBC_", "BASH_FUNC_");
  /** Where an unsafe variable waits, under the root steps, for the user's sh to put it back. */
  static final String HELD = "ZINIT_HELD_";

  static boolean unsafeAsRoot(String name) {
    return UNSAFE_AS_ROOT.contains(name) || UNSAFE_PREFIXES.stream().anyMatch(name::startsWith);
  }

  private Trampoline() {}

  /**
   * @param cgroup the v2 cgroup to enter ($0 of the script), or null
   * @param v1 further cgroup directories to enter (limits on v1 hierarchies)
   * @param nofile RLIMIT_NOFILE to set (soft and hard), or 0 to leave it
   * @param oomScoreAdj the oom_score_adj to give the program ({@link OomShield}), or null to leave
   *     it as inherited from zinit
   */
  static Command build(
      Path exe, List<String> args, Map<String, String> env, Path cgroup, List<Path> v1, long nofile,
      SpawnSpec.Credentials who, Integer oomScoreAdj)
      throws SpawnException {
    return build(exe, args, env, cgroup, v1, nofile, who, oomScoreAdj, false);
  }

  /**
   * As above; with {@code gated}, the script first waits for a line on fd 3 and exits 125 without
   * running anything when fd 3 ends without one (zinit died before it recorded the process), then
   * closes fd 3 and goes on.
   */
  static Command build(
      Path exe, List<String> args, Map<String, String> env, Path cgroup, List<Path> v1, long nofile,
      SpawnSpec.Credentials who, Integer oomScoreAdj, boolean gated)
      throws SpawnException {
    if (!gated && cgroup == null && v1.isEmpty() && nofile == 0 && who == null && oomScoreAdj == null) {
      List<String> argv = new ArrayList<>();
      argv.add(args.getFirst());
      argv.addAll(args.subList(1, args.size()));
      return new Command(exe.toString(), argv, env);
    }
    StringBuilder script = new StringBuilder();
    if (gated) script.append("read -r _ <&3 || exit 125; exec 3<&-; ");
    if (cgroup != null) script.append("echo 0 > \"$0/cgroup.procs\" || exit 126; ");
    for (Path d : v1) script.append("echo 0 > ").append(quote(d.resolve("cgroup.procs").toString())).append(" || exit 126; ");
    if (nofile > 0) script.append("ulimit -n ").append(nofile).append(" || exit 126; ");
    if (oomScoreAdj != null) script.append("echo ").append(oomScoreAdj.intValue()).append(" > /proc/self/oom_score_adj || exit 126; ");
    script.append("exec \"$@\"");
    List<String> argv = new ArrayList<>(List.of("sh", "-c", script.toString(), cgroup == null ? "zinit" : cgroup.toString()));
    if (who != null) {
      if (!Files.isExecutable(Path.of(SETPRIV))) {
        throw new SpawnException("user: running as uid " + who.uid() + " needs " + SETPRIV + " (util-linux)");
      }
      argv.addAll(setpriv(who));
    }
    Map<String, String> rootEnv = env;
    if (who != null) {
      // The root steps (this sh, setpriv) get the unsafe variables under another name; a second
      // sh, already the service's user, puts them back and execs the program. A name that is no
      // shell identifier (bash's exported functions) cannot be put back and is dropped.
      rootEnv = new LinkedHashMap<>();
      StringBuilder restore = new StringBuilder();
      for (Map.Entry<String, String> e : env.entrySet()) {
        String k = e.getKey();
        if (!unsafeAsRoot(k)) {
          rootEnv.put(k, e.getValue());
        } else if (k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          rootEnv.put(HELD + k, e.getValue());
          restore.append("export ").append(k).append("=\"$").append(HELD).append(k).append("\"; unset ")
              .append(HELD).append(k).append("; ");
        }
      }
      if (!restore.isEmpty()) argv.addAll(List.of(SH, "-c", restore + "exec \"$@\"", "zinit"));
    }
    argv.add(exe.toString());
    argv.addAll(args.subList(1, args.size()));
    return new Command(SH, argv, rootEnv);
  }

  static List<String> setpriv(SpawnSpec.Credentials who) {
    String groups = who.groups().stream().map(String::valueOf).collect(Collectors.joining(","));
    return List.of(
        SETPRIV,
        "--reuid=" + who.uid(),
        "--regid=" + who.gid(),
        groups.isEmpty() ? "--clear-groups" : "--groups=" + groups,
        "--");
  }

  /** Single-quoted for sh: only zinit's own paths come here, but a quote must not end it. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
