package zinit.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Raw libc bindings, one handle per function, mirroring C exactly. Calls that report failure
 * through errno return a {@link Ret} holding the errno captured for that very call (never a shared
 * buffer). The posix_spawn family returns its error number directly, as in C. No policy here:
 * callers decide what a failure means.
 */
@SuppressWarnings("restricted") // this class is the one door to native code, by design
final class Libc {
  private Libc() {}

  /** A C return value and, when it signals failure, the errno of that call. */
  record Ret(long value, int errno) {
    boolean failed() {
      return value == -1;
    }

    int asInt() {
      return (int) value;
    }

    /** The value, or an {@link OsException} naming {@code call} and the errno. */
    long orThrow(String call) {
      if (failed()) throw new OsException(call, errno);
      return value;
    }

    int asIntOrThrow(String call) {
      return (int) orThrow(call);
    }
  }

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LOOKUP =
      LINKER.defaultLookup().or(SymbolLookup.libraryLookup("libc.so.6", Arena.global()));
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  private static MethodHandle plain(String name, FunctionDescriptor fd, Linker.Option... options) {
    MemorySegment symbol =
        LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    return LINKER.downcallHandle(symbol, fd, options);
  }

  private static MethodHandle errno(String name, FunctionDescriptor fd, Linker.Option... more) {
    Linker.Option[] options = new Linker.Option[more.length + 1];
    options[0] = CAPTURE_ERRNO;
    System.arraycopy(more, 0, options, 1, more.length);
    return plain(name, fd, options);
  }

  private static final FunctionDescriptor INT_PTR = FunctionDescriptor.of(JAVA_INT, ADDRESS);
  private static final FunctionDescriptor INT_PTR_PTR =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

  // posix_spawn family: return an error number, do not set errno.
  private static final MethodHandle POSIX_SPAWN =
      plain(
          "posix_spawn",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
  private static final MethodHandle SPAWNATTR_INIT = plain("posix_spawnattr_init", INT_PTR);
  private static final MethodHandle SPAWNATTR_DESTROY = plain("posix_spawnattr_destroy", INT_PTR);
  private static final MethodHandle SPAWNATTR_SETFLAGS =
      plain("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
  private static final MethodHandle SPAWNATTR_SETSIGMASK =
      plain("posix_spawnattr_setsigmask", INT_PTR_PTR);
  private static final MethodHandle SPAWNATTR_SETSIGDEFAULT =
      plain("posix_spawnattr_setsigdefault", INT_PTR_PTR);
  private static final MethodHandle FA_INIT = plain("posix_spawn_file_actions_init", INT_PTR);
  private static final MethodHandle FA_DESTROY = plain("posix_spawn_file_actions_destroy", INT_PTR);
  private static final MethodHandle FA_ADDOPEN =
      plain(
          "posix_spawn_file_actions_addopen",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  private static final MethodHandle FA_ADDDUP2 =
      plain(
          "posix_spawn_file_actions_adddup2",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  private static final MethodHandle FA_ADDCLOSEFROM =
      plain(
          "posix_spawn_file_actions_addclosefrom_np",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle FA_ADDCHDIR =
      plain("posix_spawn_file_actions_addchdir_np", INT_PTR_PTR);

  // Signal sets are plain memory; these report EINVAL for bad signal numbers only.
  private static final MethodHandle SIGEMPTYSET = errno("sigemptyset", INT_PTR);

  private static final MethodHandle PIPE2 =
      errno("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle OPEN =
      errno(
          "open",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
          Linker.Option.firstVariadicArg(2));
  private static final MethodHandle CLOSE =
      errno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle READ =
      errno("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle PREAD =
      errno("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
  private static final MethodHandle WRITE =
      errno("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle WAITID =
      errno("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle PIDFD_OPEN =
      errno("pidfd_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle PIDFD_SEND_SIGNAL =
      errno(
          "pidfd_send_signal",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle KILL =
      errno("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle PRCTL =
      errno(
          "prctl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
          Linker.Option.firstVariadicArg(1));
  private static final MethodHandle GETPID = plain("getpid", FunctionDescriptor.of(JAVA_INT));
  private static final MethodHandle EPOLL_CREATE1 =
      errno("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle EPOLL_CTL =
      errno("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle EPOLL_WAIT =
      errno("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  private static final MethodHandle EVENTFD =
      errno("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle POLL =
      errno("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  private static final MethodHandle REBOOT =
      errno("reboot", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle SYNC = plain("sync", FunctionDescriptor.ofVoid());
  private static final MethodHandle SYSCONF =
      errno("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
  private static final MethodHandle STRERRORNAME_NP =
      plain("strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
  private static final MethodHandle STRERRORDESC_NP =
      plain("strerrordesc_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));

  /** A fresh errno capture segment for one call. */
  private static MemorySegment capture(Arena arena) {
    return arena.allocate(CAPTURE);
  }

  private static Ret ret(long value, MemorySegment state) {
    return new Ret(value, value == -1 ? (int) ERRNO.get(state, 0L) : 0);
  }

  /** Invokes a handle whose first parameter is the capture segment; wraps Throwable. */
  @FunctionalInterface
  private interface Call {
    long invoke(MemorySegment state) throws Throwable;
  }

  private static Ret call(Call c) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = capture(arena);
      return ret(c.invoke(state), state);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError("native call failed to link or run", t);
    }
  }

  @FunctionalInterface
  private interface RawCall {
    int invoke() throws Throwable;
  }

  private static int raw(RawCall c) {
    try {
      return c.invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError("native call failed to link or run", t);
    }
  }

  static int posix_spawn(
      MemorySegment pid,
      MemorySegment path,
      MemorySegment fileActions,
      MemorySegment attr,
      MemorySegment argv,
      MemorySegment envp) {
    return raw(() -> (int) POSIX_SPAWN.invokeExact(pid, path, fileActions, attr, argv, envp));
  }

  static int posix_spawnattr_init(MemorySegment attr) {
    return raw(() -> (int) SPAWNATTR_INIT.invokeExact(attr));
  }

  static int posix_spawnattr_destroy(MemorySegment attr) {
    return raw(() -> (int) SPAWNATTR_DESTROY.invokeExact(attr));
  }

  static int posix_spawnattr_setflags(MemorySegment attr, short flags) {
    return raw(() -> (int) SPAWNATTR_SETFLAGS.invokeExact(attr, flags));
  }

  static int posix_spawnattr_setsigmask(MemorySegment attr, MemorySegment sigset) {
    return raw(() -> (int) SPAWNATTR_SETSIGMASK.invokeExact(attr, sigset));
  }

  static int posix_spawnattr_setsigdefault(MemorySegment attr, MemorySegment sigset) {
    return raw(() -> (int) SPAWNATTR_SETSIGDEFAULT.invokeExact(attr, sigset));
  }

  static int posix_spawn_file_actions_init(MemorySegment fa) {
    return raw(() -> (int) FA_INIT.invokeExact(fa));
  }

  static int posix_spawn_file_actions_destroy(MemorySegment fa) {
    return raw(() -> (int) FA_DESTROY.invokeExact(fa));
  }

  static int posix_spawn_file_actions_addopen(
      MemorySegment fa, int fd, MemorySegment path, int oflag, int mode) {
    return raw(() -> (int) FA_ADDOPEN.invokeExact(fa, fd, path, oflag, mode));
  }

  static int posix_spawn_file_actions_adddup2(MemorySegment fa, int fd, int newfd) {
    return raw(() -> (int) FA_ADDDUP2.invokeExact(fa, fd, newfd));
  }

  static int posix_spawn_file_actions_addclosefrom_np(MemorySegment fa, int from) {
    return raw(() -> (int) FA_ADDCLOSEFROM.invokeExact(fa, from));
  }

  static int posix_spawn_file_actions_addchdir_np(MemorySegment fa, MemorySegment path) {
    return raw(() -> (int) FA_ADDCHDIR.invokeExact(fa, path));
  }

  static Ret sigemptyset(MemorySegment set) {
    return call(s -> (int) SIGEMPTYSET.invokeExact(s, set));
  }

  static Ret pipe2(MemorySegment fds, int flags) {
    return call(s -> (int) PIPE2.invokeExact(s, fds, flags));
  }

  static Ret open(MemorySegment path, int flags, int mode) {
    return call(s -> (int) OPEN.invokeExact(s, path, flags, mode));
  }

  static Ret close(int fd) {
    return call(s -> (int) CLOSE.invokeExact(s, fd));
  }

  static Ret read(int fd, MemorySegment buf, long count) {
    return call(s -> (long) READ.invokeExact(s, fd, buf, count));
  }

  static Ret pread(int fd, MemorySegment buf, long count, long offset) {
    return call(s -> (long) PREAD.invokeExact(s, fd, buf, count, offset));
  }

  static Ret write(int fd, MemorySegment buf, long count) {
    return call(s -> (long) WRITE.invokeExact(s, fd, buf, count));
  }

  static Ret waitid(int idtype, int id, MemorySegment infop, int options) {
    return call(s -> (int) WAITID.invokeExact(s, idtype, id, infop, options));
  }

  static Ret pidfd_open(int pid, int flags) {
    return call(s -> (int) PIDFD_OPEN.invokeExact(s, pid, flags));
  }

  static Ret pidfd_send_signal(int pidfd, int sig, MemorySegment info, int flags) {
    return call(s -> (int) PIDFD_SEND_SIGNAL.invokeExact(s, pidfd, sig, info, flags));
  }

  static Ret kill(int pid, int sig) {
    return call(s -> (int) KILL.invokeExact(s, pid, sig));
  }

  static Ret prctl(int option, long arg2, long arg3, long arg4, long arg5) {
    return call(s -> (int) PRCTL.invokeExact(s, option, arg2, arg3, arg4, arg5));
  }

  static int getpid() {
    return raw(() -> (int) GETPID.invokeExact());
  }

  static Ret epoll_create1(int flags) {
    return call(s -> (int) EPOLL_CREATE1.invokeExact(s, flags));
  }

  static Ret epoll_ctl(int epfd, int op, int fd, MemorySegment event) {
    return call(s -> (int) EPOLL_CTL.invokeExact(s, epfd, op, fd, event));
  }

  static Ret epoll_wait(int epfd, MemorySegment events, int maxevents, int timeout) {
    return call(s -> (int) EPOLL_WAIT.invokeExact(s, epfd, events, maxevents, timeout));
  }

  static Ret eventfd(int initval, int flags) {
    return call(s -> (int) EVENTFD.invokeExact(s, initval, flags));
  }

  static Ret poll(MemorySegment fds, long nfds, int timeout) {
    return call(s -> (int) POLL.invokeExact(s, fds, nfds, timeout));
  }

  static Ret reboot(int cmd) {
    return call(s -> (int) REBOOT.invokeExact(s, cmd));
  }

  static void sync() {
    raw(
        () -> {
          SYNC.invokeExact();
          return 0;
        });
  }

  static Ret sysconf(int name) {
    return call(s -> (long) SYSCONF.invokeExact(s, name));
  }

  /** "ESRCH" for 3; null for an unknown number. */
  static String strerrorname_np(int errnum) {
    return cString(STRERRORNAME_NP, errnum);
  }

  /** "No such process" for 3; null for an unknown number. */
  static String strerrordesc_np(int errnum) {
    return cString(STRERRORDESC_NP, errnum);
  }

  private static String cString(MethodHandle h, int errnum) {
    try {
      MemorySegment p = (MemorySegment) h.invokeExact(errnum);
      return p.equals(MemorySegment.NULL) ? null : p.reinterpret(256).getString(0);
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }
}
