package zinit.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Raw libc bindings, one handle per function, each wrapper named and typed as its C function (its C
 * signature in the comment above it). Calls that report failure through errno return a {@link Ret}
 * holding the errno captured for that very call (never a shared buffer). The posix_spawn family
 * returns its error number directly, as in C. No policy here: callers decide what a failure means.
 *
 * <p>The handles share one function descriptor, not one C signature each: the JDK generates a stub
 * (a hidden class, its method-handle adapters, all compiled by C1) for every distinct descriptor, a
 * few milliseconds each, and those 22 stubs were most of a daemon's start-up before its first spawn
 * (bench/RESULTS.md, 2026-12-01, branch launch2). Every function here takes at most six integers
 * and pointers and returns an integer, a pointer or nothing, and on linux-x64 (the System V ABI, the
 * only platform zinit ships for) each of those travels in one 64-bit general-purpose register:
 * arguments in rdi, rsi, rdx, rcx, r8, r9, the result in rax. So every function is bound as
 * {@code long f(long, long, long, long, long, long)} with errno captured ({@link #SIX_LONGS}), and
 * its wrapper does the C typing explicitly:
 *
 * <ul>
 *   <li>an {@code int} (or {@code short}, {@code pid_t}, {@code unsigned}) argument is widened to a
 *       long; the callee reads only the register's low 32 (16) bits, which the widening keeps;
 *   <li>a pointer argument is passed as its address ({@link #address}: native memory only, checked
 *       as the JDK would have). The caller keeps the segment reachable and its arena open for the
 *       call, as every caller here does (a confined arena closed after the call, the global arena,
 *       or memory a live object or a thread holds in a field);
 *   <li>a function taking fewer than six arguments gets 0 in the registers it does not read (the
 *       caller owns those registers in this ABI; {@link #call});
 *   <li>an {@code int} result is the low 32 bits of rax ({@code (int)}, sign-extending, so -1 stays
 *       -1): the upper half is undefined; a {@code long}, {@code ssize_t} or pointer result is all
 *       of rax; a {@code void} function's rax is ignored;
 *   <li>errno is captured for every call, also of functions that do not set it (getpid, the
 *       posix_spawn family), whose callers never read it;
 *   <li>the variadic functions (open, prctl, syscall) are bound with their variadic option (open only for
 *       a call that passes a mode: without one it is glibc's non-variadic __open_2), which also
 *       sets al (the count of vector registers used, 0) as the ABI asks of a variadic call; the
 *       zeros after their last argument are surplus variadic arguments, which C allows. Each is a
 *       descriptor (a stub) of its own, as is the critical read of a heap array ({@link #readNow}).
 * </ul>
 *
 * <p>Each handle lives in its own holder class, so it is built on the first call of its function
 * and a run binds only what it uses (the CLI nothing, a daemon's start-up not reboot, sync,
 * sysconf, poll or kill). The first handle of a descriptor costs milliseconds (the JDK generates
 * code for it, and its AOT cache does not keep that); another of the same descriptor, about 0.1 ms.
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

  private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
    MemorySegment symbol =
        LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    return LINKER.downcallHandle(symbol, fd, options);
  }

  /** {@code long f(long, long, long, long, long, long)}: the shape of every binding here. */
  private static final FunctionDescriptor SIX_LONGS =
      FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

  /** {@code name} bound as six longs in, a long out, errno captured (see the class comment). */
  private static MethodHandle longs(String name) {
    return bind(name, SIX_LONGS, CAPTURE_ERRNO);
  }

  /** As {@link #longs}, for a variadic function whose variadic arguments start at {@code first}. */
  private static MethodHandle variadic(String name, int first) {
    return bind(name, SIX_LONGS, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(first));
  }

  // Each handle in its own holder class (see above). The C signature is on the wrapper below.
  private static final class PosixSpawn {
    static final MethodHandle H = longs("posix_spawn");
  }

  private static final class PosixSpawnattrInit {
    static final MethodHandle H = longs("posix_spawnattr_init");
  }

  private static final class PosixSpawnattrDestroy {
    static final MethodHandle H = longs("posix_spawnattr_destroy");
  }

  private static final class PosixSpawnattrSetflags {
    static final MethodHandle H = longs("posix_spawnattr_setflags");
  }

  private static final class PosixSpawnattrSetsigmask {
    static final MethodHandle H = longs("posix_spawnattr_setsigmask");
  }

  private static final class PosixSpawnattrSetsigdefault {
    static final MethodHandle H = longs("posix_spawnattr_setsigdefault");
  }

  private static final class PosixSpawnFileActionsInit {
    static final MethodHandle H = longs("posix_spawn_file_actions_init");
  }

  private static final class PosixSpawnFileActionsDestroy {
    static final MethodHandle H = longs("posix_spawn_file_actions_destroy");
  }

  private static final class PosixSpawnFileActionsAddopen {
    static final MethodHandle H = longs("posix_spawn_file_actions_addopen");
  }

  private static final class PosixSpawnFileActionsAdddup2 {
    static final MethodHandle H = longs("posix_spawn_file_actions_adddup2");
  }

  private static final class PosixSpawnFileActionsAddclosefromNp {
    static final MethodHandle H = longs("posix_spawn_file_actions_addclosefrom_np");
  }

  private static final class PosixSpawnFileActionsAddchdirNp {
    static final MethodHandle H = longs("posix_spawn_file_actions_addchdir_np");
  }

  private static final class Sigemptyset {
    static final MethodHandle H = longs("sigemptyset");
  }

  private static final class Pipe2 {
    static final MethodHandle H = longs("pipe2");
  }

  private static final class Open {
    static final MethodHandle H = variadic("open", 2);
  }

  private static final class Open2 {
    static final MethodHandle H = longs("__open_2");
  }

  private static final class Rmdir {
    static final MethodHandle H = longs("rmdir");
  }

  private static final class Mount {
    static final MethodHandle H = longs("mount");
  }

  private static final class Umount2 {
    static final MethodHandle H = longs("umount2");
  }

  private static final class Swapoff {
    static final MethodHandle H = longs("swapoff");
  }

  private static final class Close {
    static final MethodHandle H = longs("close");
  }

  private static final class Flock {
    static final MethodHandle H = longs("flock");
  }

  private static final class Read {
    static final MethodHandle H = longs("read");
  }

  // read(2) into a Java array, without a native buffer and a copy: a critical call may take heap
  // memory, and holds off the GC until it returns, so it is only for reads that cannot block (a pipe
  // epoll reported readable). Its own descriptor: a heap segment has no address to pass as a long.
  private static final class ReadCritical {
    static final MethodHandle H =
        bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO,
            Linker.Option.critical(true));
  }

  // send(2) of a Java array with MSG_DONTWAIT, critical as ReadCritical: it cannot block.
  private static final class SendCritical {
    static final MethodHandle H =
        bind("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO,
            Linker.Option.critical(true));
  }

  private static final class Getdents64 {
    static final MethodHandle H = longs("getdents64");
  }

  private static final class Pread {
    static final MethodHandle H = longs("pread");
  }

  private static final class Write {
    static final MethodHandle H = longs("write");
  }

  private static final class Waitid {
    static final MethodHandle H = longs("waitid");
  }

  // glibc has pidfd_open and pidfd_send_signal since 2.36; before (Ubuntu 22.04, RHEL 9) they are
  // made through syscall(2)
  private static final class PidfdOpen {
    static final MethodHandle H = longsOrSyscall("pidfd_open", SYS_PIDFD_OPEN);
  }

  private static final class PidfdSendSignal {
    static final MethodHandle H = longsOrSyscall("pidfd_send_signal", SYS_PIDFD_SEND_SIGNAL);
  }

  private static final class Syscall {
    static final MethodHandle H = variadic("syscall", 1);
  }

  /**
   * As {@link #longs}; where libc has no {@code name}, syscall(2) with {@code number} in front of
   * the same arguments, which is all glibc's wrapper does: the same handle type, so callers and the
   * warm-up cannot tell.
   */
  private static MethodHandle longsOrSyscall(String name, long number) {
    return LOOKUP.find(name).isPresent() ? longs(name) : viaSyscall(number);
  }

  /** syscall(2) of {@code number}, typed as a {@link #longs} handle (no call here takes six arguments). */
  private static MethodHandle viaSyscall(long number) {
    MethodHandle numbered = MethodHandles.insertArguments(Syscall.H, 1, number);
    return MethodHandles.dropArguments(numbered, 6, long.class);
  }

  /** x86-64 system call numbers. */
  static final long SYS_PIDFD_SEND_SIGNAL = 424;
  static final long SYS_PIDFD_OPEN = 434;

  private static final class Kill {
    static final MethodHandle H = longs("kill");
  }

  private static final class Prctl {
    static final MethodHandle H = variadic("prctl", 1);
  }

  private static final class Sigaction {
    static final MethodHandle H = longs("sigaction");
  }

  private static final class PthreadSigmask {
    static final MethodHandle H = longs("pthread_sigmask");
  }

  private static final class Sigwaitinfo {
    static final MethodHandle H = longs("sigwaitinfo");
  }

  private static final class SignalFn {
    static final MethodHandle H = longs("signal");
  }

  private static final class Getpid {
    static final MethodHandle H = longs("getpid");
  }

  private static final class EpollCreate1 {
    static final MethodHandle H = longs("epoll_create1");
  }

  private static final class EpollCtl {
    static final MethodHandle H = longs("epoll_ctl");
  }

  private static final class EpollWait {
    static final MethodHandle H = longs("epoll_wait");
  }

  private static final class Eventfd {
    static final MethodHandle H = longs("eventfd");
  }

  private static final class Poll {
    static final MethodHandle H = longs("poll");
  }

  private static final class Reboot {
    static final MethodHandle H = longs("reboot");
  }

  private static final class Exit {
    static final MethodHandle H = longs("_exit");
  }

  private static final class Sync {
    static final MethodHandle H = longs("sync");
  }

  private static final class Sysconf {
    static final MethodHandle H = longs("sysconf");
  }

  private static final class Getrlimit {
    static final MethodHandle H = longs("getrlimit");
  }

  private static final class Setrlimit {
    static final MethodHandle H = longs("setrlimit");
  }

  private static final class Geteuid {
    static final MethodHandle H = longs("geteuid");
  }

  private static final class MallocTrim {
    static final MethodHandle H = longs("malloc_trim");
  }

  private static final class StrerrornameNp {
    static final MethodHandle H = longs("strerrorname_np");
  }

  private static final class StrerrordescNp {
    static final MethodHandle H = longs("strerrordesc_np");
  }

  // Each thread's capture segment, reused call after call (each call reads its errno as soon as it
  // returns, and no call re-enters Java): an arena per call was a good part of the cost of a pipe
  // read on the I/O thread and of a /proc read.
  private static final ThreadLocal<MemorySegment> CAPTURES =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  /**
   * Calls {@code h} (bound by {@link #longs} or {@link #variadic}) with this thread's capture
   * segment and six arguments; returns rax. A function taking fewer gets 0 for the rest, which it
   * never reads (see the class comment).
   */
  private static long call(MethodHandle h, long a, long b, long c, long d, long e, long f) {
    try {
      return (long) h.invokeExact(CAPTURES.get(), a, b, c, d, e, f);
    } catch (RuntimeException | Error x) {
      throw x;
    } catch (Throwable t) {
      throw new AssertionError("native call failed to link or run", t);
    }
  }

  private static long call(MethodHandle h) {
    return call(h, 0, 0, 0, 0, 0, 0);
  }

  private static long call(MethodHandle h, long a) {
    return call(h, a, 0, 0, 0, 0, 0);
  }

  private static long call(MethodHandle h, long a, long b) {
    return call(h, a, b, 0, 0, 0, 0);
  }

  private static long call(MethodHandle h, long a, long b, long c) {
    return call(h, a, b, c, 0, 0, 0);
  }

  private static long call(MethodHandle h, long a, long b, long c, long d) {
    return call(h, a, b, c, d, 0, 0);
  }

  private static long call(MethodHandle h, long a, long b, long c, long d, long e) {
    return call(h, a, b, c, d, e, 0);
  }

  /** The result of a C function returning int that sets errno: eax, and errno when it is -1. */
  private static Ret cint(long rax) {
    int value = (int) rax; // eax: rax's upper half is undefined
    return new Ret(value, value == -1 ? errno() : 0);
  }

  /** The result of a C function returning long, ssize_t or a pointer that sets errno. */
  private static Ret clong(long rax) {
    return new Ret(rax, rax == -1 ? errno() : 0);
  }

  /** The errno of this thread's last call here (each call reads it before the thread calls again). */
  private static int errno() {
    return errno(CAPTURES.get());
  }

  /**
   * The errno in {@code state}, the capture segment of a call that just returned. Never inlined
   * (CompileCommand dontinline in zinit-daemon.jvmopts): C1 inlines the whole VarHandle access
   * into every caller, kilobytes of code each for a path taken only on failure, which made the
   * per-read methods slower to compile during a fresh daemon's first burst of output.
   */
  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  /**
   * The address of native memory, to pass as a long. Checks what passing the segment itself would
   * have: native, its arena open and this thread allowed to use it.
   */
  static long address(MemorySegment s) {
    if (!s.isNative()) throw new IllegalArgumentException("heap segment passed to native code: " + s);
    if (!s.scope().isAlive()) throw new IllegalStateException("segment's arena is closed: " + s);
    if (!s.isAccessibleBy(Thread.currentThread())) {
      throw new WrongThreadException("segment of another thread: " + s);
    }
    return s.address();
  }

  /**
   * Builds the handles that spawning services needs, in the order the spawners first need them:
   * run on a thread of its own at start-up, this overlaps their binding (milliseconds for the first
   * handle of a descriptor) with what the daemon does before its first spawn (its own bindings,
   * reading the service files). A handle a spawner needs while this thread builds it waits for it;
   * none is built twice.
   */
  static void bindSpawnCalls() {
    for (MethodHandle h :
        new MethodHandle[] {
          PosixSpawnFileActionsInit.H, PosixSpawnFileActionsAddopen.H, PosixSpawnFileActionsAdddup2.H,
          PosixSpawnFileActionsAddclosefromNp.H, PosixSpawnFileActionsAddchdirNp.H,
          PosixSpawnattrInit.H, PosixSpawnattrSetflags.H, Sigemptyset.H, PosixSpawnattrSetsigmask.H,
          PosixSpawnattrSetsigdefault.H, PosixSpawn.H, PosixSpawnFileActionsDestroy.H, Pipe2.H,
          PidfdOpen.H, Open2.H, Pread.H, Read.H, Close.H, Waitid.H, EpollWait.H
        }) {
      java.util.Objects.requireNonNull(h);
    }
  }

  /**
   * Builds the handles that stopping services needs and a start-up does not (signals through
   * pidfds, cgroup.events reads, poll, sync, an emptied cgroup's removal), so the first stop or
   * shutdown does not pay for them; and malloc_trim, so that the one trim after start-up is a call,
   * not a wake-up that binds. A reply's send is also made once, to no socket (fd -1, EBADF): its
   * handle's stub links the rest of its chain at its first call, generating two classes
   * (LambdaForms) the AOT cache does not keep, on the first reply's path (bench/RESULTS.md,
   * 2026-12-01, branch aot).
   */
  static void bindStopCalls() {
    for (MethodHandle h :
        new MethodHandle[] {
          PidfdSendSignal.H, Pread.H, Poll.H, Sync.H, Kill.H, MallocTrim.H, SendCritical.H, Rmdir.H
        }) {
      java.util.Objects.requireNonNull(h);
    }
    sendNow(-1, MemorySegment.ofArray(new byte[1]), 1);
  }

  /**
   * {@code int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t
   * *file_actions, const posix_spawnattr_t *attrp, char *const argv[], char *const envp[])}
   */
  static int posix_spawn(
      MemorySegment pid,
      MemorySegment path,
      MemorySegment fileActions,
      MemorySegment attr,
      MemorySegment argv,
      MemorySegment envp) {
    return (int)
        call(
            PosixSpawn.H,
            address(pid),
            address(path),
            address(fileActions),
            address(attr),
            address(argv),
            address(envp));
  }

  /** {@code int posix_spawnattr_init(posix_spawnattr_t *attr)} */
  static int posix_spawnattr_init(MemorySegment attr) {
    return (int) call(PosixSpawnattrInit.H, address(attr));
  }

  /** {@code int posix_spawnattr_destroy(posix_spawnattr_t *attr)} */
  static int posix_spawnattr_destroy(MemorySegment attr) {
    return (int) call(PosixSpawnattrDestroy.H, address(attr));
  }

  /** {@code int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)} */
  static int posix_spawnattr_setflags(MemorySegment attr, short flags) {
    return (int) call(PosixSpawnattrSetflags.H, address(attr), flags);
  }

  /** {@code int posix_spawnattr_setsigmask(posix_spawnattr_t *attr, const sigset_t *sigmask)} */
  static int posix_spawnattr_setsigmask(MemorySegment attr, MemorySegment sigset) {
    return (int) call(PosixSpawnattrSetsigmask.H, address(attr), address(sigset));
  }

  /** {@code int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *sigdefault)} */
  static int posix_spawnattr_setsigdefault(MemorySegment attr, MemorySegment sigset) {
    return (int) call(PosixSpawnattrSetsigdefault.H, address(attr), address(sigset));
  }

  /** {@code int posix_spawn_file_actions_init(posix_spawn_file_actions_t *file_actions)} */
  static int posix_spawn_file_actions_init(MemorySegment fa) {
    return (int) call(PosixSpawnFileActionsInit.H, address(fa));
  }

  /** {@code int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *file_actions)} */
  static int posix_spawn_file_actions_destroy(MemorySegment fa) {
    return (int) call(PosixSpawnFileActionsDestroy.H, address(fa));
  }

  /**
   * {@code int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *file_actions, int
   * fildes, const char *path, int oflag, mode_t mode)}
   */
  static int posix_spawn_file_actions_addopen(
      MemorySegment fa, int fd, MemorySegment path, int oflag, int mode) {
    return (int) call(PosixSpawnFileActionsAddopen.H, address(fa), fd, address(path), oflag, mode);
  }

  /**
   * {@code int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *file_actions, int
   * fildes, int newfildes)}
   */
  static int posix_spawn_file_actions_adddup2(MemorySegment fa, int fd, int newfd) {
    return (int) call(PosixSpawnFileActionsAdddup2.H, address(fa), fd, newfd);
  }

  /** {@code int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *, int from)} */
  static int posix_spawn_file_actions_addclosefrom_np(MemorySegment fa, int from) {
    return (int) call(PosixSpawnFileActionsAddclosefromNp.H, address(fa), from);
  }

  /** {@code int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *, const char *path)} */
  static int posix_spawn_file_actions_addchdir_np(MemorySegment fa, MemorySegment path) {
    return (int) call(PosixSpawnFileActionsAddchdirNp.H, address(fa), address(path));
  }

  /** {@code int sigemptyset(sigset_t *set)}: a signal set is plain memory (EINVAL only for bad numbers) */
  static Ret sigemptyset(MemorySegment set) {
    return cint(call(Sigemptyset.H, address(set)));
  }

  /** {@code int pipe2(int pipefd[2], int flags)} */
  static Ret pipe2(MemorySegment fds, int flags) {
    return cint(call(Pipe2.H, address(fds), flags));
  }

  /**
   * {@code int open(const char *pathname, int flags, ... mode_t mode)}; without O_CREAT or
   * O_TMPFILE (every call of zinit's) through {@code int __open_2(const char *pathname, int
   * flags)}, glibc's open for calls that pass no mode (C's fortified open(2) calls it), which is
   * not variadic: it binds through the shared descriptor in ~0.1 ms, where open's own variadic
   * stub cost 15-18 ms of a daemon's start-up (bench/RESULTS.md, 2026-12-01).
   */
  static Ret open(MemorySegment path, int flags, int mode) {
    if ((flags & (O_CREAT | O_TMPFILE_BIT)) == 0) return cint(call(Open2.H, address(path), flags));
    return cint(call(Open.H, address(path), flags, mode));
  }

  /** The flags with which open(2) reads a mode (linux-x64 values; O_TMPFILE includes O_DIRECTORY). */
  private static final int O_CREAT = 0100;
  private static final int O_TMPFILE_BIT = 020000000;

  /**
   * {@code int mount(const char *source, const char *target, const char *fstype, unsigned long
   * flags, const void *data)}; {@code data} may be {@link MemorySegment#NULL}.
   */
  static Ret mount(MemorySegment source, MemorySegment target, MemorySegment fstype, long flags, MemorySegment data) {
    long d = data.equals(MemorySegment.NULL) ? 0 : address(data);
    return cint(call(Mount.H, address(source), address(target), address(fstype), flags, d));
  }

  /** {@code int swapoff(const char *path)} */
  static Ret swapoff(MemorySegment path) {
    return cint(call(Swapoff.H, address(path)));
  }

  /** {@code int umount2(const char *target, int flags)} */
  static Ret umount2(MemorySegment target, int flags) {
    return cint(call(Umount2.H, address(target), flags));
  }

  /** {@code int rmdir(const char *pathname)} */
  static Ret rmdir(MemorySegment path) {
    return cint(call(Rmdir.H, address(path)));
  }

  /** {@code int flock(int fd, int operation)} */
  static Ret flock(int fd, int operation) {
    return cint(call(Flock.H, fd, operation));
  }

  /** {@code int close(int fd)} */
  static Ret close(int fd) {
    return cint(call(Close.H, fd));
  }

  /** {@code ssize_t read(int fd, void *buf, size_t count)} */
  static Ret read(int fd, MemorySegment buf, long count) {
    return clong(call(Read.H, fd, address(buf), count));
  }

  /**
   * read(2) into {@code buf}, which may be a heap segment, as a critical call (see {@link
   * ReadCritical}): the count, or -errno. For a read that cannot block only.
   */
  static long readNow(int fd, MemorySegment buf, long count) {
    MemorySegment state = CAPTURES.get();
    try {
      long n = (long) ReadCritical.H.invokeExact(state, fd, buf, count);
      return n == -1 ? -errno(state) : n;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError("native call failed to link or run", t);
    }
  }

  private static final int MSG_DONTWAIT = 0x40;
  private static final int MSG_NOSIGNAL = 0x4000;

  /**
   * {@code send(fd, buf, count, MSG_DONTWAIT | MSG_NOSIGNAL)} from a Java array (a heap segment):
   * the bytes the socket took now, or -errno (EAGAIN when it takes none without waiting).
   */
  static long sendNow(int fd, MemorySegment buf, long count) {
    MemorySegment state = CAPTURES.get();
    try {
      long n = (long) SendCritical.H.invokeExact(state, fd, buf, count, MSG_DONTWAIT | MSG_NOSIGNAL);
      return n == -1 ? -errno(state) : n;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError("native call failed to link or run", t);
    }
  }

  /**
   * {@code ssize_t getdents64(int fd, void *dirp, size_t count)}: directory entries (struct
   * linux_dirent64) into {@code buf}; 0 at the end.
   */
  static Ret getdents64(int fd, MemorySegment buf, long count) {
    return clong(call(Getdents64.H, fd, address(buf), count));
  }

  /** {@code ssize_t pread(int fd, void *buf, size_t count, off_t offset)} */
  static Ret pread(int fd, MemorySegment buf, long count, long offset) {
    return clong(call(Pread.H, fd, address(buf), count, offset));
  }

  /** {@code ssize_t write(int fd, const void *buf, size_t count)} */
  static Ret write(int fd, MemorySegment buf, long count) {
    return clong(call(Write.H, fd, address(buf), count));
  }

  /** {@code int waitid(idtype_t idtype, id_t id, siginfo_t *infop, int options)} */
  static Ret waitid(int idtype, int id, MemorySegment infop, int options) {
    return cint(call(Waitid.H, idtype, id, address(infop), options));
  }

  /** {@code int pidfd_open(pid_t pid, unsigned int flags)} */
  static Ret pidfd_open(int pid, int flags) {
    return cint(call(PidfdOpen.H, pid, flags));
  }

  /** {@code int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)} */
  static Ret pidfd_send_signal(int pidfd, int sig, MemorySegment info, int flags) {
    return cint(call(PidfdSendSignal.H, pidfd, sig, address(info), flags));
  }

  /**
   * {@code syscall(number, a, b, c, d)} for a call whose result is an int (a fd, 0 or -1), through
   * the handle a missing wrapper gets ({@link #longsOrSyscall}): for tests of that path.
   */
  static Ret syscall(long number, long a, long b, long c, long d) {
    return cint(call(viaSyscall(number), a, b, c, d));
  }

  /** {@code int kill(pid_t pid, int sig)} */
  static Ret kill(int pid, int sig) {
    return cint(call(Kill.H, pid, sig));
  }

  /** {@code int prctl(int option, ... unsigned long arg2, arg3, arg4, arg5)} */
  static Ret prctl(int option, long arg2, long arg3, long arg4, long arg5) {
    return cint(call(Prctl.H, option, arg2, arg3, arg4, arg5));
  }

  /** {@code int sigaction(int signum, const struct sigaction *act, struct sigaction *oldact)} */
  static Ret sigaction(int sig, MemorySegment act, MemorySegment oldact) {
    return cint(call(Sigaction.H, sig, address(act), address(oldact)));
  }

  /**
   * {@code int pthread_sigmask(int how, const sigset_t *set, sigset_t *oldset)}: returns its error
   * number, as the pthread functions do (errno is not set).
   */
  static int pthread_sigmask(int how, MemorySegment set, MemorySegment oldset) {
    return (int) call(PthreadSigmask.H, how, address(set), address(oldset));
  }

  /** {@code int sigwaitinfo(const sigset_t *set, siginfo_t *info)}: the signal's number. */
  static Ret sigwaitinfo(MemorySegment set, MemorySegment info) {
    return cint(call(Sigwaitinfo.H, address(set), address(info)));
  }

  /**
   * {@code sighandler_t signal(int signum, sighandler_t handler)}: the previous handler as an
   * address, or -1 (SIG_ERR).
   */
  static Ret signal(int sig, MemorySegment handler) {
    return clong(call(SignalFn.H, sig, address(handler)));
  }

  /** {@code pid_t getpid(void)} */
  static int getpid() {
    return (int) call(Getpid.H);
  }

  /** {@code int epoll_create1(int flags)} */
  static Ret epoll_create1(int flags) {
    return cint(call(EpollCreate1.H, flags));
  }

  /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)} */
  static Ret epoll_ctl(int epfd, int op, int fd, MemorySegment event) {
    return cint(call(EpollCtl.H, epfd, op, fd, address(event)));
  }

  /** {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)} */
  static Ret epoll_wait(int epfd, MemorySegment events, int maxevents, int timeout) {
    return cint(call(EpollWait.H, epfd, address(events), maxevents, timeout));
  }

  /**
   * epoll_wait(2) for the I/O loop's every round: the count, or -errno (no lambda and no {@link
   * Ret} per call, fewer methods to run interpreted until the JIT has them). {@code events} is the
   * address of memory the caller keeps alive and to itself for the call, as {@link #address}
   * returned it once: the loop's own array of events, made when it starts, used for every round
   * (the checks per call were six more methods for C1 during a fresh daemon's first burst).
   */
  static int epollWait(int epfd, long events, int maxevents, int timeout) {
    MemorySegment state = CAPTURES.get();
    try {
      long rax =
          (long)
              EpollWait.H.invokeExact(
                  state, (long) epfd, events, (long) maxevents, (long) timeout, 0L, 0L);
      int n = (int) rax; // eax: the C function returns int
      return n == -1 ? -errno(state) : n;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError("native call failed to link or run", t);
    }
  }

  /** {@code int eventfd(unsigned int initval, int flags)} */
  static Ret eventfd(int initval, int flags) {
    return cint(call(Eventfd.H, initval, flags));
  }

  /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} */
  static Ret poll(MemorySegment fds, long nfds, int timeout) {
    return cint(call(Poll.H, address(fds), nfds, timeout));
  }

  /** {@code int reboot(int cmd)} */
  static Ret reboot(int cmd) {
    return cint(call(Reboot.H, cmd));
  }

  /** Builds _exit's handle ahead of time, so that the exit itself does not pay for it. */
  static void bindExit() {
    java.util.Objects.requireNonNull(Exit.H);
  }

  /** {@code void _exit(int status)}: does not return. */
  static void _exit(int status) {
    call(Exit.H, status);
  }

  /** {@code void sync(void)} */
  static void sync() {
    call(Sync.H); // rax means nothing here
  }

  /** {@code int getrlimit(int resource, struct rlimit *rlim)}: two unsigned longs, cur and max. */
  static Ret getrlimit(int resource, MemorySegment rlim) {
    return cint(call(Getrlimit.H, resource, address(rlim)));
  }

  /** {@code int setrlimit(int resource, const struct rlimit *rlim)} */
  static Ret setrlimit(int resource, MemorySegment rlim) {
    return cint(call(Setrlimit.H, resource, address(rlim)));
  }

  /** {@code uid_t geteuid(void)} */
  static int geteuid() {
    return (int) call(Geteuid.H);
  }

  /** {@code long sysconf(int name)} */
  static Ret sysconf(int name) {
    return clong(call(Sysconf.H, name));
  }

  /**
   * {@code int malloc_trim(size_t pad)}: 1 when memory was given back, 0 when none could be.
   */
  static int malloc_trim(long pad) {
    return (int) call(MallocTrim.H, pad);
  }

  /** {@code const char *strerrorname_np(int errnum)}: "ESRCH" for 3; null for an unknown number. */
  static String strerrorname_np(int errnum) {
    return cString(call(StrerrornameNp.H, errnum));
  }

  /** {@code const char *strerrordesc_np(int errnum)}: "No such process" for 3; null for unknown. */
  static String strerrordesc_np(int errnum) {
    return cString(call(StrerrordescNp.H, errnum));
  }

  /** A static C string (libc's own, never freed) at {@code address}, or null for NULL. */
  private static String cString(long address) {
    return address == 0 ? null : MemorySegment.ofAddress(address).reinterpret(256).getString(0);
  }
}
