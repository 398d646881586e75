package zinit.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import zinit.supervisor.SpawnException;

/**
 * posix_spawn with everything a supervised service must get: its own session, an empty signal
 * mask, default dispositions, only fds 0-2 open, its working dir and environment. stdin is
 * /dev/null: a service must not read zinit's console.
 */
final class Spawner {
  private Spawner() {}

  /** Where fd 1 or 2 of the child goes: a pipe's write end, or one of these. */
  static final int DEV_NULL = -1;
  static final int INHERIT = -2;

  /**
   * Starts {@code path} (absolute) and returns its pid. Errors the child hits before exec (chdir,
   * exec) are reported by glibc's posix_spawn as its return value.
   */
  static int spawn(String path, List<String> argv, Map<String, String> env, String dir, int out, int err)
      throws SpawnException {
    return spawn(path, argv, env, dir, out, err, -1);
  }

  /** As above, with {@code gate} (an fd, or -1) as the child's fd 3. */
  static int spawn(String path, List<String> argv, Map<String, String> env, String dir, int out, int err, int gate)
      throws SpawnException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment actions = arena.allocate(Flags.FILE_ACTIONS_SIZE, 16);
      check("posix_spawn_file_actions_init", Libc.posix_spawn_file_actions_init(actions));
      try {
        fileActions(arena, actions, dir, out, err, gate);
        MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
        int rc =
            Libc.posix_spawn(
                pid, arena.allocateFrom(path), actions, Attributes.ATTR, strings(arena, argv), strings(arena, envp(env)));
        if (rc != 0) {
          throw new SpawnException(
              "exec '" + argv.getFirst() + "' (" + path + ") in " + dir + ": " + Errno.describe(rc), null, Shortage.errno(rc));
        }
        return pid.get(ValueLayout.JAVA_INT, 0);
      } finally {
        check("posix_spawn_file_actions_destroy", Libc.posix_spawn_file_actions_destroy(actions));
      }
    }
  }

  /**
   * The attributes every spawn gets are the same, and posix_spawn only reads them: built once
   * (on first spawn) and shared, which saves six native calls per spawn. Never destroyed.
   */
  private static final class Attributes {
    static final MemorySegment ATTR = create(Arena.global());

    private static MemorySegment create(Arena arena) {
      MemorySegment attr = arena.allocate(Flags.SPAWNATTR_SIZE, 16);
      check("posix_spawnattr_init", Libc.posix_spawnattr_init(attr));
      check(
          "posix_spawnattr_setflags",
          Libc.posix_spawnattr_setflags(
              attr,
              (short) (Flags.POSIX_SPAWN_SETSID | Flags.POSIX_SPAWN_SETSIGMASK | Flags.POSIX_SPAWN_SETSIGDEF)));
      MemorySegment empty = arena.allocate(Flags.SIGSET_SIZE, 8);
      Libc.sigemptyset(empty).orThrow("sigemptyset");
      check("posix_spawnattr_setsigmask", Libc.posix_spawnattr_setsigmask(attr, empty));
      // Every signal 1..64 back to SIG_DFL. The bits are set by hand because sigfillset/sigaddset
      // leave out glibc's internal signals 32 and 33, which glibc's spawn child would otherwise
      // set to SIG_IGN, and an ignored disposition survives exec into the service.
      MemorySegment all = arena.allocate(Flags.SIGSET_SIZE, 8);
      Libc.sigemptyset(all).orThrow("sigemptyset");
      all.set(ValueLayout.JAVA_LONG, 0, -1L);
      check("posix_spawnattr_setsigdefault", Libc.posix_spawnattr_setsigdefault(attr, all));
      return attr;
    }
  }

  private static void fileActions(Arena arena, MemorySegment actions, String dir, int out, int err, int gate) {
    MemorySegment devNull = arena.allocateFrom("/dev/null");
    check(
        "posix_spawn_file_actions_addopen(0, /dev/null)",
        Libc.posix_spawn_file_actions_addopen(actions, 0, devNull, Flags.O_RDONLY, 0));
    redirect(actions, devNull, out, 1);
    redirect(actions, devNull, err, 2);
    if (gate >= 0) {
      if (gate == 3) throw new IllegalArgumentException("gate fd must not be 3"); // dup2 onto itself keeps close-on-exec
      check("posix_spawn_file_actions_adddup2(" + gate + ", 3)", Libc.posix_spawn_file_actions_adddup2(actions, gate, 3));
    }
    int from = gate >= 0 ? 4 : 3;
    check("posix_spawn_file_actions_addclosefrom_np(" + from + ")", Libc.posix_spawn_file_actions_addclosefrom_np(actions, from));
    check(
        "posix_spawn_file_actions_addchdir_np(" + dir + ")",
        Libc.posix_spawn_file_actions_addchdir_np(actions, arena.allocateFrom(dir)));
  }

  private static void redirect(MemorySegment actions, MemorySegment devNull, int source, int target) {
    if (source == INHERIT) return;
    if (source == DEV_NULL) {
      check(
          "posix_spawn_file_actions_addopen(" + target + ", /dev/null)",
          Libc.posix_spawn_file_actions_addopen(actions, target, devNull, Flags.O_WRONLY, 0));
    } else {
      // dup2 clears close-on-exec on the target; the pipe's own fd goes with closefrom(3).
      check(
          "posix_spawn_file_actions_adddup2(" + source + ", " + target + ")",
          Libc.posix_spawn_file_actions_adddup2(actions, source, target));
    }
  }

  private static List<String> envp(Map<String, String> env) {
    return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
  }

  /** A NULL-terminated char*[] living in {@code arena}. */
  private static MemorySegment strings(Arena arena, List<String> values) {
    MemorySegment array = arena.allocate(ValueLayout.ADDRESS, values.size() + 1L);
    for (int i = 0; i < values.size(); i++) {
      array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(values.get(i)));
    }
    array.setAtIndex(ValueLayout.ADDRESS, values.size(), MemorySegment.NULL);
    return array;
  }

  /** The posix_spawn setup calls return an error number; any is a bug or exhaustion here. */
  private static void check(String call, int rc) {
    if (rc != 0) throw new OsException(call, rc);
  }
}
