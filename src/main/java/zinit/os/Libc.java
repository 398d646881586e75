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
 *
 * <p>Each handle lives in its own holder class, so it is built on the first call of its function:
 * building a downcall handle costs milliseconds (the JDK generates code for it, and its AOT cache
 * does not keep that), and a run binds only what it uses (the CLI nothing, a daemon's start-up
 * not reboot, sync, sysconf, poll, kill or the strerror functions).
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
  private static final class PosixSpawn {
    static final MethodHandle H =
        plain("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
  }

  private static final class PosixSpawnattrInit {
    static final MethodHandle H = plain("posix_spawnattr_init", INT_PTR);
  }

  private static final class PosixSpawnattrDestroy {
    static final MethodHandle H = plain("posix_spawnattr_destroy", INT_PTR);
  }

  private static final class PosixSpawnattrSetflags {
    static final MethodHandle H =
        plain("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
  }

  private static final class PosixSpawnattrSetsigmask {
    static final MethodHandle H = plain("posix_spawnattr_setsigmask", INT_PTR_PTR);
  }

  private static final class PosixSpawnattrSetsigdefault {
    static final MethodHandle H = plain("posix_spawnattr_setsigdefault", INT_PTR_PTR);
  }

  private static final class PosixSpawnFileActionsInit {
    static final MethodHandle H = plain("posix_spawn_file_actions_init", INT_PTR);
  }

  private static final class PosixSpawnFileActionsDestroy {
    static final MethodHandle H = plain("posix_spawn_file_actions_destroy", INT_PTR);
  }

  private static final class PosixSpawnFileActionsAddopen {
    static final MethodHandle H =
        plain("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  }

  private static final class PosixSpawnFileActionsAdddup2 {
    static final MethodHandle H =
        plain("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  }

  private static final class PosixSpawnFileActionsAddclosefromNp {
    static final MethodHandle H =
        plain("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  }

  private static final class PosixSpawnFileActionsAddchdirNp {
    static final MethodHandle H = plain("posix_spawn_file_actions_addchdir_np", INT_PTR_PTR);
  }

  // Signal sets are plain memory; these report EINVAL for bad signal numbers only.
  private static final class Sigemptyset {
    static final MethodHandle H = errno("sigemptyset", INT_PTR);
  }

  private static final class Pipe2 {
    static final MethodHandle H =
        errno("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  }

  private static final class Open {
    static final MethodHandle H =
        errno("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
  }

  private static final class Rmdir {
    static final MethodHandle H = errno("rmdir", INT_PTR);
  }

  private static final class Close {
    static final MethodHandle H = errno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  }

  private static final class Read {
    static final MethodHandle H =
        errno("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  }

  // read(2) into a Java array, without a native buffer and a copy: a critical call may take heap
  // memory, and holds off the GC until it returns, so it is only for reads that cannot block (a pipe
  // epoll reported readable)
  private static final class ReadCritical {
    static final MethodHandle H =
        errno("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Linker.Option.critical(true));
  }

  private static final class Getdents64 {
    static final MethodHandle H =
        errno("getdents64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  }

  private static final class Pread {
    static final MethodHandle H =
        errno("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
  }

  private static final class Write {
    static final MethodHandle H =
        errno("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  }

  private static final class Waitid {
    static final MethodHandle H =
        errno("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  }

  private static final class PidfdOpen {
    static final MethodHandle H =
        errno("pidfd_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  }

  private static final class PidfdSendSignal {
    static final MethodHandle H =
        errno("pidfd_send_signal",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  }

  private static final class Kill {
    static final MethodHandle H =
        errno("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  }

  private static final class Prctl {
    static final MethodHandle H =
        errno("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
  }

  private static final class Sigaction {
    static final MethodHandle H =
        errno("sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  }

  private static final class SignalFn {
    static final MethodHandle H = errno("signal", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
  }

  private static final class Getpid {
    static final MethodHandle H = plain("getpid", FunctionDescriptor.of(JAVA_INT));
  }

  private static final class EpollCreate1 {
    static final MethodHandle H = errno("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  }

  private static final class EpollCtl {
    static final MethodHandle H =
        errno("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  }

  private static final class EpollWait {
    static final MethodHandle H =
        errno("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  }

  private static final class Eventfd {
    static final MethodHandle H =
        errno("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  }

  private static final class Poll {
    static final MethodHandle H =
        errno("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  }

  private static final class Reboot {
    static final MethodHandle H = errno("reboot", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  }

  private static final class Sync {
    static final MethodHandle H = plain("sync", FunctionDescriptor.ofVoid());
  }

  private static final class Sysconf {
    static final MethodHandle H = errno("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
  }

  private static final class Getrlimit {
    static final MethodHandle H = errno("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  }

  private static final class Setrlimit {
    static final MethodHandle H = errno("setrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  }

  private static final class Geteuid {
    static final MethodHandle H = plain("geteuid", FunctionDescriptor.of(JAVA_INT));
  }

  // int malloc_trim(size_t pad): 1 when memory was given back, 0 when none could be.
  private static final class MallocTrim {
    static final MethodHandle H = plain("malloc_trim", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
  }

  private static final class StrerrornameNp {
    static final MethodHandle H =
        plain("strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
  }

  private static final class StrerrordescNp {
    static final MethodHandle H =
        plain("strerrordesc_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
  }


  /**
   * Builds the handles that spawning services needs, in the order the spawners first need them:
   * run on a thread of its own at start-up, this overlaps their binding (several milliseconds
   * each) with what the daemon does before its first spawn (its own bindings, reading the service
   * files). A handle a spawner needs while this thread builds it waits for it; none is built twice.
   */
  static void bindSpawnCalls() {
    for (MethodHandle h :
        new MethodHandle[] {
          PosixSpawnFileActionsInit.H, PosixSpawnFileActionsAddopen.H, PosixSpawnFileActionsAdddup2.H,
          PosixSpawnFileActionsAddclosefromNp.H, PosixSpawnFileActionsAddchdirNp.H,
          PosixSpawnattrInit.H, PosixSpawnattrSetflags.H, Sigemptyset.H, PosixSpawnattrSetsigmask.H,
          PosixSpawnattrSetsigdefault.H, PosixSpawn.H, PosixSpawnFileActionsDestroy.H, Pipe2.H,
          PidfdOpen.H, Open.H, Pread.H, Read.H, Close.H, Waitid.H, EpollWait.H
        }) {
      java.util.Objects.requireNonNull(h);
    }
  }

  /**
   * Builds the handles that stopping services needs and a start-up does not (signals through
   * pidfds, cgroup.events reads, poll, sync), so the first stop or shutdown does not pay for them;
   * and malloc_trim, so that the one trim after start-up is a call, not a wake-up that binds.
   */
  static void bindStopCalls() {
    for (MethodHandle h :
        new MethodHandle[] {PidfdSendSignal.H, Pread.H, Poll.H, Sync.H, Kill.H, MallocTrim.H}) {
      java.util.Objects.requireNonNull(h);
    }
  }

  private static Ret ret(long value, MemorySegment state) {
    return new Ret(value, value == -1 ? (int) ERRNO.get(state, 0L) : 0);
  }

  /** Invokes a handle whose first parameter is the capture segment; wraps Throwable. */
  @FunctionalInterface
  private interface Call {
    long invoke(MemorySegment state) throws Throwable;
  }

  // Each thread's capture segment, reused call after call (each call reads its errno as soon as it
  // returns, and no call re-enters Java): an arena per call was a good part of the cost of a pipe
  // read on the I/O thread and of a /proc read.
  private static final ThreadLocal<MemorySegment> CAPTURES =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  private static Ret call(Call c) {
    MemorySegment state = CAPTURES.get();
    try {
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
    return raw(() -> (int) PosixSpawn.H.invokeExact(pid, path, fileActions, attr, argv, envp));
  }

  static int posix_spawnattr_init(MemorySegment attr) {
    return raw(() -> (int) PosixSpawnattrInit.H.invokeExact(attr));
  }

  static int posix_spawnattr_destroy(MemorySegment attr) {
    return raw(() -> (int) PosixSpawnattrDestroy.H.invokeExact(attr));
  }

  static int posix_spawnattr_setflags(MemorySegment attr, short flags) {
    return raw(() -> (int) PosixSpawnattrSetflags.H.invokeExact(attr, flags));
  }

  static int posix_spawnattr_setsigmask(MemorySegment attr, MemorySegment sigset) {
    return raw(() -> (int) PosixSpawnattrSetsigmask.H.invokeExact(attr, sigset));
  }

  static int posix_spawnattr_setsigdefault(MemorySegment attr, MemorySegment sigset) {
    return raw(() -> (int) PosixSpawnattrSetsigdefault.H.invokeExact(attr, sigset));
  }

  static int posix_spawn_file_actions_init(MemorySegment fa) {
    return raw(() -> (int) PosixSpawnFileActionsInit.H.invokeExact(fa));
  }

  static int posix_spawn_file_actions_destroy(MemorySegment fa) {
    return raw(() -> (int) PosixSpawnFileActionsDestroy.H.invokeExact(fa));
  }

  static int posix_spawn_file_actions_addopen(
      MemorySegment fa, int fd, MemorySegment path, int oflag, int mode) {
    return raw(() -> (int) PosixSpawnFileActionsAddopen.H.invokeExact(fa, fd, path, oflag, mode));
  }

  static int posix_spawn_file_actions_adddup2(MemorySegment fa, int fd, int newfd) {
    return raw(() -> (int) PosixSpawnFileActionsAdddup2.H.invokeExact(fa, fd, newfd));
  }

  static int posix_spawn_file_actions_addclosefrom_np(MemorySegment fa, int from) {
    return raw(() -> (int) PosixSpawnFileActionsAddclosefromNp.H.invokeExact(fa, from));
  }

  static int posix_spawn_file_actions_addchdir_np(MemorySegment fa, MemorySegment path) {
    return raw(() -> (int) PosixSpawnFileActionsAddchdirNp.H.invokeExact(fa, path));
  }

  static Ret sigemptyset(MemorySegment set) {
    return call(s -> (int) Sigemptyset.H.invokeExact(s, set));
  }

  static Ret pipe2(MemorySegment fds, int flags) {
    return call(s -> (int) Pipe2.H.invokeExact(s, fds, flags));
  }

  static Ret open(MemorySegment path, int flags, int mode) {
    return call(s -> (int) Open.H.invokeExact(s, path, flags, mode));
  }

  static Ret rmdir(MemorySegment path) {
    return call(s -> (int) Rmdir.H.invokeExact(s, path));
  }

  static Ret close(int fd) {
    return call(s -> (int) Close.H.invokeExact(s, fd));
  }

  static Ret read(int fd, MemorySegment buf, long count) {
    return call(s -> (long) Read.H.invokeExact(s, fd, buf, count));
  }

  /**
   * read(2) into {@code buf}, which may be a heap segment, as a critical call (see {@link
   * ReadCritical}): the count, or -errno. For a read that cannot block only.
   */
  static long readNow(int fd, MemorySegment buf, long count) {
    MemorySegment state = CAPTURES.get();
    try {
      long n = (long) ReadCritical.H.invokeExact(state, fd, buf, count);
      return n == -1 ? -(int) ERRNO.get(state, 0L) : n;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError("native call failed to link or run", t);
    }
  }

  /** Directory entries (struct linux_dirent64) into {@code buf}; 0 at the end. */
  static Ret getdents64(int fd, MemorySegment buf, long count) {
    return call(s -> (long) Getdents64.H.invokeExact(s, fd, buf, count));
  }

  static Ret pread(int fd, MemorySegment buf, long count, long offset) {
    return call(s -> (long) Pread.H.invokeExact(s, fd, buf, count, offset));
  }

  static Ret write(int fd, MemorySegment buf, long count) {
    return call(s -> (long) Write.H.invokeExact(s, fd, buf, count));
  }

  static Ret waitid(int idtype, int id, MemorySegment infop, int options) {
    return call(s -> (int) Waitid.H.invokeExact(s, idtype, id, infop, options));
  }

  static Ret pidfd_open(int pid, int flags) {
    return call(s -> (int) PidfdOpen.H.invokeExact(s, pid, flags));
  }

  static Ret pidfd_send_signal(int pidfd, int sig, MemorySegment info, int flags) {
    return call(s -> (int) PidfdSendSignal.H.invokeExact(s, pidfd, sig, info, flags));
  }

  static Ret kill(int pid, int sig) {
    return call(s -> (int) Kill.H.invokeExact(s, pid, sig));
  }

  static Ret prctl(int option, long arg2, long arg3, long arg4, long arg5) {
    return call(s -> (int) Prctl.H.invokeExact(s, option, arg2, arg3, arg4, arg5));
  }

  static Ret sigaction(int sig, MemorySegment act, MemorySegment oldact) {
    return call(s -> (int) Sigaction.H.invokeExact(s, sig, act, oldact));
  }

  /** signal(2); the previous handler as an address, or -1 (SIG_ERR). */
  static Ret signal(int sig, MemorySegment handler) {
    return call(s -> ((MemorySegment) SignalFn.H.invokeExact(s, sig, handler)).address());
  }

  static int getpid() {
    return raw(() -> (int) Getpid.H.invokeExact());
  }

  static Ret epoll_create1(int flags) {
    return call(s -> (int) EpollCreate1.H.invokeExact(s, flags));
  }

  static Ret epoll_ctl(int epfd, int op, int fd, MemorySegment event) {
    return call(s -> (int) EpollCtl.H.invokeExact(s, epfd, op, fd, event));
  }

  static Ret epoll_wait(int epfd, MemorySegment events, int maxevents, int timeout) {
    return call(s -> (int) EpollWait.H.invokeExact(s, epfd, events, maxevents, timeout));
  }

  /**
   * epoll_wait(2) for the I/O loop's every round: the count, or -errno (no lambda and no {@link
   * Ret} per call, fewer methods to run interpreted until the JIT has them).
   */
  static int epollWait(int epfd, MemorySegment events, int maxevents, int timeout) {
    MemorySegment state = CAPTURES.get();
    try {
      int n = (int) EpollWait.H.invokeExact(state, epfd, events, maxevents, timeout);
      return n == -1 ? -(int) ERRNO.get(state, 0L) : n;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError("native call failed to link or run", t);
    }
  }

  static Ret eventfd(int initval, int flags) {
    return call(s -> (int) Eventfd.H.invokeExact(s, initval, flags));
  }

  static Ret poll(MemorySegment fds, long nfds, int timeout) {
    return call(s -> (int) Poll.H.invokeExact(s, fds, nfds, timeout));
  }

  static Ret reboot(int cmd) {
    return call(s -> (int) Reboot.H.invokeExact(s, cmd));
  }

  static void sync() {
    raw(
        () -> {
          Sync.H.invokeExact();
          return 0;
        });
  }

  /** {@code rlim} points to a struct rlimit: two unsigned longs, cur and max. */
  static Ret getrlimit(int resource, MemorySegment rlim) {
    return call(s -> (int) Getrlimit.H.invokeExact(s, resource, rlim));
  }

  static Ret setrlimit(int resource, MemorySegment rlim) {
    return call(s -> (int) Setrlimit.H.invokeExact(s, resource, rlim));
  }

  static int geteuid() {
    return raw(() -> (int) Geteuid.H.invokeExact());
  }

  static Ret sysconf(int name) {
    return call(s -> (long) Sysconf.H.invokeExact(s, name));
  }

  static int malloc_trim(long pad) {
    return raw(() -> (int) MallocTrim.H.invokeExact(pad));
  }

  /** "ESRCH" for 3; null for an unknown number. */
  static String strerrorname_np(int errnum) {
    return cString(StrerrornameNp.H, errnum);
  }

  /** "No such process" for 3; null for an unknown number. */
  static String strerrordesc_np(int errnum) {
    return cString(StrerrordescNp.H, errnum);
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
