package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import zinit.guard.ByteBudget;
import zinit.os.SocketSend;

/** Replies sent at once on a real Unix socket: never blocking, never out of order, never after close. */
class OutboxTest {
  private Path dir;
  private ServerSocketChannel server;
  private SocketChannel client;
  private SocketChannel accepted;

  @BeforeEach
  void connect() throws IOException {
    dir = Files.createTempDirectory("zinit-outbox");
    Path socket = dir.resolve("s");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
    client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    accepted = server.accept();
  }

  @AfterEach
  void close() throws IOException {
    client.close();
    accepted.close();
    server.close();
    Files.deleteIfExists(dir.resolve("s"));
    Files.delete(dir);
  }

  @Test
  void aReplyToAnIdleConnectionIsSentAtOnceByTheCaller() throws IOException {
    int fd = SocketSend.fd(accepted);
    assertThat(fd).as("the channel's fd (sun.nio.ch opened to zinit, as the daemon runs)").isGreaterThanOrEqualTo(0);
    Outbox out = new Outbox(1 << 20, new ByteBudget(1 << 20), fd);
    assertThat(out.addOrSend(line("one"))).isEqualTo(Outbox.Sent.AT_ONCE);
    assertThat(read(client, 4)).isEqualTo("one\n");
  }

  @Test
  @Timeout(20)
  void aClientThatDoesNotReadNeverBlocksTheSenderAndGetsEveryByteInOrder() throws Exception {
    Outbox out = new Outbox(64L << 20, new ByteBudget(64L << 20), SocketSend.fd(accepted));
    List<Outbox.Sent> how = new ArrayList<>();
    StringBuilder expected = new StringBuilder();
    // far more than a Unix socket buffers: the first replies go at once, one is cut, the rest queue
    for (int i = 0; i < 2000; i++) {
      String text = i + ":" + "x".repeat(500);
      expected.append(text).append('\n');
      how.add(out.addOrSend(line(text)));
    }
    assertThat(how).contains(Outbox.Sent.AT_ONCE, Outbox.Sent.QUEUED);
    assertThat(how.lastIndexOf(Outbox.Sent.AT_ONCE)).isLessThan(how.indexOf(Outbox.Sent.QUEUED));
    // the writer sends what was queued, as the connection's writer thread does
    Thread writer = Thread.ofPlatform().start(() -> {
      List<byte[]> chunks = new ArrayList<>();
      try {
        while (out.takeAll(chunks, 64)) {
          long bytes = 0;
          for (byte[] c : chunks) {
            accepted.write(ByteBuffer.wrap(c));
            bytes += c.length;
          }
          out.written(bytes);
          chunks.clear();
        }
      } catch (IOException | InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    out.close();
    String got = read(client, expected.length());
    writer.join();
    assertThat(got).isEqualTo(expected.toString());
  }

  @Test
  void afterNoSendsAtOnceEveryReplyGoesToTheWriter() throws IOException {
    Outbox out = new Outbox(1 << 20, new ByteBudget(1 << 20), SocketSend.fd(accepted));
    out.noSendsAtOnce();
    assertThat(out.addOrSend(line("late"))).isEqualTo(Outbox.Sent.QUEUED);
    out.close();
    assertThat(out.addOrSend(line("closed"))).isEqualTo(Outbox.Sent.CLOSED);
  }

  private static byte[] line(String text) {
    return (text + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String read(SocketChannel ch, int bytes) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(bytes);
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) break;
    }
    return new String(Arrays.copyOf(buf.array(), buf.position()), StandardCharsets.UTF_8);
  }
}
