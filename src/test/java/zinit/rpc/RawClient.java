package zinit.rpc;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test client that speaks raw bytes to the socket and reads reply lines with a deadline. */
final class RawClient implements AutoCloseable {
  static final String EOF = "\u0000EOF";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long DEADLINE_SECONDS = 20;

  private final SocketChannel channel;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final java.util.concurrent.Semaphore reading = new java.util.concurrent.Semaphore(1);

  private RawClient(SocketChannel channel, boolean read) {
    this.channel = channel;
    if (read) Thread.ofVirtual().start(this::readLoop);
  }

  static RawClient connect(Path socket) throws IOException {
    return new RawClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)), true);
  }

  /** Starts reading for a client made with {@link #connectDeaf}. */
  void startReading() {
    Thread.ofVirtual().start(this::readLoop);
  }

  /** A client that does not read what the server sends (until {@link #startReading}). */
  static RawClient connectDeaf(Path socket) throws IOException {
    return new RawClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)), false);
  }

  void send(String text) throws IOException {
    sendBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  void sendBytes(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) channel.write(b);
  }

  /** Stops reading from the socket after the read in progress, so its buffers fill up. */
  void pause() throws InterruptedException {
    reading.acquire();
  }

  void resume() {
    reading.release();
  }

  /** Half-closes: the server sees the end of the requests. */
  void endOutput() throws IOException {
    channel.shutdownOutput();
  }

  /** The next line the server sent, failing after a generous deadline. */
  String line() throws InterruptedException {
    String l = lines.poll(DEADLINE_SECONDS, TimeUnit.SECONDS);
    if (l == null) fail("no line from the server within " + DEADLINE_SECONDS + " s");
    return l;
  }

  /** The next line, or null when none comes within the time given. */
  String pollLine(long time, TimeUnit unit) throws InterruptedException {
    return lines.poll(time, unit);
  }

  JsonNode reply() throws Exception {
    String l = line();
    if (l.equals(EOF)) fail("the server closed the connection instead of replying");
    return JSON.readTree(l);
  }

  JsonNode call(String json) throws Exception {
    send(json + "\n");
    return reply();
  }

  /** Waits until the server closes the connection, skipping any lines before. */
  void awaitClosed() throws InterruptedException {
    while (!line().equals(EOF)) {
      // skip
    }
  }

  private void readLoop() {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      while (true) {
        int n = channel.read(buf);
        // held by pause(): stop here, so the socket's buffers fill up
        reading.acquireUninterruptibly();
        reading.release();
        if (n < 0) break;
        buf.flip();
        while (buf.hasRemaining()) {
          byte b = buf.get();
          if (b == '\n') {
            lines.add(line.toString(StandardCharsets.UTF_8));
            line.reset();
          } else line.write(b);
        }
        buf.clear();
      }
    } catch (IOException e) {
      // closed
    }
    lines.add(EOF);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
