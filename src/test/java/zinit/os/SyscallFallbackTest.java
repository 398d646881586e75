package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * glibc before 2.36 (Ubuntu 22.04, RHEL 9) has no pidfd_open or pidfd_send_signal; zinit then
 * makes them through syscall(2). This glibc has both, so the fallback is called directly here, on
 * a real process.
 */
class SyscallFallbackTest {
  @Test
  void pidfdOpenAndSendSignalThroughSyscallReachTheProcess() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    int fd = -1;
    try {
      Libc.Ret opened = Libc.syscall(Libc.SYS_PIDFD_OPEN, sleeper.pid(), 0, 0, 0);
      assertThat(opened.failed()).as("pidfd_open: errno %d", opened.errno()).isFalse();
      fd = opened.asInt();
      assertThat(Files.readString(Path.of("/proc/self/fdinfo/" + fd))).contains("Pid:\t" + sleeper.pid() + "\n");

      assertThat(Libc.syscall(Libc.SYS_PIDFD_SEND_SIGNAL, fd, 0, 0, 0).failed()).as("signal 0: it lives").isFalse();
      assertThat(Libc.syscall(Libc.SYS_PIDFD_SEND_SIGNAL, fd, 15, 0, 0).failed()).isFalse();
      // `sleep 30` ends within seconds only by the signal (its exit status may be reaped by the
      // Reaper of another test in this JVM, so the JDK cannot always tell it)
      assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();

      Libc.Ret late = Libc.syscall(Libc.SYS_PIDFD_SEND_SIGNAL, fd, 15, 0, 0);
      assertThat(late.failed()).isTrue();
      assertThat(late.errno()).as("the process is gone").isEqualTo(Errno.ESRCH);
    } finally {
      if (fd >= 0) Libc.close(fd);
      sleeper.destroyForcibly();
      sleeper.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
