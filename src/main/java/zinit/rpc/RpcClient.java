package zinit.rpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;

/**
 * A JSON-RPC client of zinit's socket, for the CLI and the HTTP proxy. It speaks JSON through
 * {@link PlainJson}, not Jackson, so that a CLI round trip loads next to nothing. Values are plain
 * Java: Map (in document order), List, String, Long/Double, Boolean, null. Not thread-safe.
 */
public final class RpcClient implements AutoCloseable {

  /** An error reply of the server. */
  public static final class RemoteError extends Exception {
    private final int code;
    private final transient Object data;

    RemoteError(int code, String message, Object data) {
      super(message);
      this.code = code;
      this.data = data;
    }

    public int code() {
      return code;
    }

    /** The error's data member (usually a Map with code_name, service, action, hint), or null. */
    public Object data() {
      return data;
    }
  }

  private final Path socket;
  private final SocketChannel channel;
  private final PlainJson.Reader in;
  private final ArrayDeque<Map<String, Object>> notifications = new ArrayDeque<>();
  private long nextId = 1;

  private RpcClient(Path socket, SocketChannel channel) throws IOException {
    this.socket = socket;
    this.channel = channel;
    this.in = new PlainJson.Reader(Channels.newInputStream(channel));
  }

  /** Connects; the message of a failure names the socket and says why in words. */
  public static RpcClient connect(Path socket) throws IOException {
    try {
      return new RpcClient(socket, SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    } catch (ConnectException e) {
      if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)
          && !Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther())
        throw new IOException("cannot connect to zinit at " + socket + ": not a socket");
      throw new IOException("cannot connect to zinit at " + socket + ": nothing is listening (is zinit running?)");
    } catch (SocketException e) {
      String why = String.valueOf(e.getMessage());
      if (why.contains("No such file")) why = "no such socket (is zinit running? set -s or ZINIT_SOCKET)";
      else if (why.contains("Permission denied")) why = "permission denied (run as root or as zinit's user)";
      throw new IOException("cannot connect to zinit at " + socket + ": " + why);
    }
  }

  /** Calls {@code method} with params (a Map for named, a List for positional, or null). */
  public Object call(String method, Object params) throws IOException, RemoteError {
    long id = nextId++;
    send(request(method, params, id));
    while (true) {
      Map<String, Object> msg = read();
      if (msg == null) throw new IOException("zinit at " + socket + " closed the connection before answering " + method);
      if (!msg.containsKey("id") && msg.containsKey("method")) {
        notifications.add(msg);
        continue;
      }
      Object gotId = msg.get("id");
      if (msg.get("error") instanceof Map<?, ?> err) {
        String message = String.valueOf(err.get("message"));
        int code = err.get("code") instanceof Number n ? n.intValue() : 0;
        if (gotId == null || Objects.equals(gotId, id)) throw new RemoteError(code, message, err.get("data"));
      }
      if (Objects.equals(gotId, id) && msg.containsKey("result")) return msg.get("result");
      if (!Objects.equals(gotId, id))
        throw new IOException("zinit at " + socket + " answered out of turn: " + msg);
      throw new IOException(socket + " did not answer as zinit does: " + msg);
    }
  }

  /** The next notification's params (e.g. {subscription, result}); null when the server closed. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> nextNotification() throws IOException {
    while (notifications.isEmpty()) {
      Map<String, Object> msg = read();
      if (msg == null) return null;
      if (!msg.containsKey("id")) notifications.add(msg);
    }
    Object params = notifications.poll().get("params");
    return params instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** Sends a raw line (the proxy forwards request bodies as they came). */
  public void sendRaw(byte[] text) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(text);
    while (b.hasRemaining()) channel.write(b);
  }

  /** Tells the server no more requests come; it still answers those sent. */
  public void endRequests() throws IOException {
    channel.shutdownOutput();
  }

  /** Every byte the server still sends until it closes the connection. */
  public byte[] readRest() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferRest(out);
    return out.toByteArray();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing left to do with a socket we are abandoning
    }
  }

  /**
   * Closes as {@link #close} does, when no other thread uses this client (a CLI command's one
   * call; not the proxy's log feed, whose close ends another thread's read). A blocking channel's
   * close first asks sun.nio.ch.Net whether to shut the output down (for TCP's SO_LINGER), and
   * initialising Net (InetAddress, IPv6 probes) costs a CLI call ~2 ms; a non-blocking channel
   * that no selector holds is just closed. Switching waits for a read or write in progress, so
   * with another thread in one it would wait for that.
   */
  public void closeUnshared() {
    try {
      channel.configureBlocking(false);
    } catch (IOException e) {
      // closed below all the same
    }
    close();
  }

  private static byte[] request(String method, Object params, long id) {
    StringBuilder b = new StringBuilder(128).append("{\"jsonrpc\":\"2.0\",\"id\":").append(id).append(",\"method\":");
    PlainJson.write(b, method);
    if (params != null) {
      b.append(",\"params\":");
      PlainJson.write(b, params);
    }
    return b.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  private void send(byte[] line) throws IOException {
    sendRaw(line);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> read() throws IOException {
    Object v;
    try {
      v = in.next();
    } catch (IOException e) {
      throw new IOException(socket + " did not answer as zinit does: " + e.getMessage());
    }
    if (v == PlainJson.Reader.END) return null;
    if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
    throw new IOException(socket + " did not answer as zinit does: got " + v);
  }
}
