package zinit.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Loads at start what the JDK would otherwise set up on first use with fds it opens then, so that
 * a first use while all fds are taken (by an attack, or by services) cannot fail, and fail for
 * good: a class whose static initialisation failed stays unusable for the life of the JVM.
 */
final class Preload {
  private Preload() {}

  static void jdk() {
    // time-zone rules (lib/tzdb.dat), for the local zone and for HTTP-style dates in GMT
    ZonedDateTime now = ZonedDateTime.now(ZoneId.systemDefault());
    DateTimeFormatter.RFC_1123_DATE_TIME.format(now.withZoneSameInstant(ZoneOffset.UTC));
    DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(now);
    ZoneId.of("GMT").getRules();
    InetAddress.getLoopbackAddress();
    try {
      // NIO's socket classes open a socket pair in their static initialiser
      ServerSocketChannel.open(StandardProtocolFamily.UNIX).close();
      SocketChannel.open(StandardProtocolFamily.UNIX).close();
      new ServerSocket().close();
      new Socket().close();
      virtualThreadPoller();
    } catch (IOException e) {
      throw new UncheckedIOException("preparing the JDK's socket classes", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The first virtual thread that blocks on I/O starts the JDK's pollers (epoll fds). The reader
   * must really block: written to before it reads, it finds the byte at once and starts nothing,
   * and the first blocking accept would then start the pollers after the services took every fd,
   * failing their class's initialisation for good (no client would ever be accepted again).
   */
  private static void virtualThreadPoller() throws IOException, InterruptedException {
    Pipe pipe = Pipe.open();
    try (Pipe.SourceChannel in = pipe.source(); Pipe.SinkChannel out = pipe.sink()) {
      Throwable[] failed = new Throwable[1];
      Thread reader = Thread.ofVirtual().start(() -> {
        try {
          in.read(ByteBuffer.allocate(1));
        } catch (IOException | Error e) {
          failed[0] = e;
        }
      });
      // parked waiting for input, which only the pollers can wake (or ended: the pollers failed)
      while (reader.isAlive() && reader.getState() != Thread.State.WAITING) Thread.sleep(1);
      if (reader.isAlive()) out.write(ByteBuffer.wrap(new byte[] {1}));
      reader.join();
      if (failed[0] != null) throw new IOException("starting the JDK's I/O pollers: " + failed[0], failed[0]);
    }
  }
}
