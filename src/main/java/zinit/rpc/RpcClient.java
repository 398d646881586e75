package zinit.rpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A JSON-RPC client of zinit's socket, for the CLI and the HTTP proxy. It uses Jackson's streaming
 * parser only (no databind) so that a CLI round trip stays cheap. Values are plain Java: Map (in
 * document order), List, String, Long/Double, Boolean, null. Not thread-safe.
 */
public final class RpcClient implements AutoCloseable {
  private static final JsonFactory JSON = new JsonFactory();

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
  private final InputStream in;
  // created on the first read: Jackson reads ahead to detect the encoding when it makes a parser
  private JsonParser parser;
  private final ArrayDeque<Map<String, Object>> notifications = new ArrayDeque<>();
  private long nextId = 1;

  private RpcClient(Path socket, SocketChannel channel) throws IOException {
    this.socket = socket;
    this.channel = channel;
    this.in = Channels.newInputStream(channel);
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
    if (parser != null) parser.releaseBuffered(out);
    in.transferTo(out);
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

  private byte[] request(String method, Object params, long id) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("jsonrpc", "2.0");
      g.writeNumberField("id", id);
      g.writeStringField("method", method);
      if (params != null) {
        g.writeFieldName("params");
        write(g, params);
      }
      g.writeEndObject();
    }
    out.write('\n');
    return out.toByteArray();
  }

  private void send(byte[] line) throws IOException {
    sendRaw(line);
  }

  private static void write(JsonGenerator g, Object v) throws IOException {
    switch (v) {
      case null -> g.writeNull();
      case String s -> g.writeString(s);
      case Boolean b -> g.writeBoolean(b);
      case Integer i -> g.writeNumber(i);
      case Long l -> g.writeNumber(l);
      case Number n -> g.writeNumber(n.doubleValue());
      case Map<?, ?> m -> {
        g.writeStartObject();
        for (Map.Entry<?, ?> e : m.entrySet()) {
          g.writeFieldName(String.valueOf(e.getKey()));
          write(g, e.getValue());
        }
        g.writeEndObject();
      }
      case List<?> l -> {
        g.writeStartArray();
        for (Object o : l) write(g, o);
        g.writeEndArray();
      }
      default -> throw new IllegalArgumentException("cannot send a " + v.getClass().getName());
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> read() throws IOException {
    JsonToken t;
    try {
      if (parser == null) parser = JSON.createParser(in);
      t = parser.nextToken();
    } catch (IOException e) {
      throw new IOException(socket + " did not answer as zinit does: " + e.getMessage());
    }
    if (t == null) return null;
    Object v = value(t);
    if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
    throw new IOException(socket + " did not answer as zinit does: got " + v);
  }

  private Object value(JsonToken t) throws IOException {
    return switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          m.put(key, value(parser.nextToken()));
        }
        yield m;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        JsonToken n;
        while ((n = parser.nextToken()) != JsonToken.END_ARRAY) l.add(value(n));
        yield l;
      }
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> parser.getLongValue();
      case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IOException("unexpected " + t);
    };
  }
}
