import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The JVM's floor for a CLI call (issue 13): connect to a Unix socket, send one JSON-RPC request
 * (service_list, as `zinit list` does), print the reply as it came. No argument parsing, no JSON
 * parsing, no formatting. Usage: FloorClient SOCKET
 */
public final class FloorClient {
  public static void main(String[] args) throws Exception {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(args[0]));
      ch.write(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\",\"params\":[]}\n".getBytes(StandardCharsets.UTF_8)));
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      while (ch.read(buf) > 0 && buf.get(buf.position() - 1) != '\n') {}
      System.out.write(buf.array(), 0, buf.position());
      System.out.flush();
    }
  }
}
