package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The tests' JVM opens java.io to zinit (pom.xml's argLine), as zinit-daemon.jvmopts does. */
class BorrowedFdTest {
  @Test
  void readsThePipesOwnFd() throws IOException {
    assertThat(BorrowedFd.available()).as("java.io opened to zinit (argLine)").isTrue();
    int[] p = Fds.pipe();
    try {
      FileInputStream in = BorrowedFd.stream(p[0]);
      write(p[1], "hello\n");
      byte[] buf = new byte[64];
      int n = in.read(buf, 0, buf.length);
      assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).isEqualTo("hello\n");
      assertThat(in.getFD().valid()).isTrue();
    } finally {
      Fds.close(p[0]);
      Fds.close(p[1]);
    }
  }

  /** After revoke, a stream kept by mistake cannot read whatever file gets the fd's number next. */
  @Test
  void aRevokedStreamReadsNothingAndLeavesTheFdOpen() throws IOException {
    int[] p = Fds.pipe();
    try {
      FileInputStream in = BorrowedFd.stream(p[0]);
      BorrowedFd.revoke(in);
      write(p[1], "x\n");
      assertThatThrownBy(() -> in.read(new byte[8], 0, 8)).isInstanceOf(IOException.class);
      assertThat(readNative(p[0])).as("the fd is still zinit's, open, with the data").isEqualTo("x\n");
    } finally {
      Fds.close(p[0]);
      Fds.close(p[1]);
    }
  }

  /** No cleaner or finalizer of java.io closes the fd when the stream is collected: zinit closes it. */
  @Test
  void aCollectedStreamDoesNotCloseTheFd() throws Exception {
    int[] p = Fds.pipe();
    try {
      WeakReference<FileInputStream> gone = new WeakReference<>(BorrowedFd.stream(p[0]));
      for (int i = 0; i < 50 && gone.get() != null; i++) {
        System.gc();
        Thread.sleep(20);
      }
      assertThat(gone.get()).as("stream collected").isNull();
      Thread.sleep(200); // a cleaner, if any, would run on its own thread by now
      write(p[1], "still\n");
      assertThat(readNative(p[0])).isEqualTo("still\n");
    } finally {
      Fds.close(p[0]);
      Fds.close(p[1]);
    }
  }

  @Test
  void noStreamForNoFd() {
    assertThat(BorrowedFd.stream(-1)).isNull();
  }

  private static void write(int fd, String s) {
    try (Arena arena = Arena.ofConfined()) {
      byte[] b = s.getBytes(StandardCharsets.US_ASCII);
      MemorySegment m = arena.allocate(b.length);
      m.copyFrom(MemorySegment.ofArray(b));
      assertThat(Libc.write(fd, m, b.length).asInt()).isEqualTo(b.length);
    }
  }

  private static String readNative(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment m = arena.allocate(64);
      int n = Libc.read(fd, m, 64).asInt();
      return new String(m.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }
  }
}
