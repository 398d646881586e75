package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** Which spawn failures are worth retrying: shortages that pass, not errors that stay. */
class ShortageTest {
  @Test
  void fdProcessAndMemoryShortagesAreRetryable() {
    assertThat(Shortage.in(new OsException("pipe2", Errno.EMFILE))).isTrue();
    assertThat(Shortage.in(new OsException("pidfd_open(12)", Errno.ENFILE))).isTrue();
    assertThat(Shortage.in(new RuntimeException(new OsException("posix_spawn", Errno.EAGAIN)))).isTrue();
    assertThat(Shortage.errno(Errno.ENOMEM)).isTrue();
  }

  @Test
  void jdkIoErrorsAreRecognisedByTheirReason() {
    // what the JDK throws when mkdir or open of a cgroup file meets EMFILE
    IOException emfile = new FileSystemException("/sys/fs/cgroup/x", null, Libc.strerrordesc_np(Errno.EMFILE));
    assertThat(Shortage.in(new UncheckedIOException("listing /sys/fs/cgroup/x", emfile))).isTrue();
  }

  @Test
  void aShortageIsNamedOnceInTheMessage() {
    // reading /proc/<pid>/stat at EMFILE: the JDK's reason is strerror's text only
    IOException emfile = new FileSystemException("/proc/9/stat", null, Libc.strerrordesc_np(Errno.EMFILE));
    UncheckedIOException e = new UncheckedIOException("reading /proc/9/stat: " + emfile.getMessage(), emfile);
    assertThat(Shortage.named(e.getMessage(), e)).isEqualTo("EMFILE: " + e.getMessage());
    OsException pipe = new OsException("pipe2", Errno.EMFILE);
    assertThat(Shortage.named(pipe.getMessage(), pipe)).isEqualTo(pipe.getMessage()).contains("EMFILE");
    OsException lasting = new OsException("posix_spawn", Errno.ENOENT);
    assertThat(Shortage.named(lasting.getMessage(), lasting)).isEqualTo(lasting.getMessage());
  }

  @Test
  void lastingErrorsAreNot() {
    assertThat(Shortage.in(new OsException("posix_spawn", Errno.ENOENT))).isFalse();
    assertThat(Shortage.in(new OsException("kill(1)", Errno.EPERM))).isFalse();
    assertThat(Shortage.in(new FileSystemException("/x", null, "Permission denied"))).isFalse();
  }
}
