package zinit.rpc;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/** JSON-RPC 2.0 framing-independent request handling: validation, batches, notifications. */
final class Dispatcher {
  interface Handler {
    JsonNode call(Params params, Session session) throws RpcError;
  }

  /**
   * A method whose result comes later (a stop): the future completes on the thread that ends the
   * call, with the result or an {@link RpcError}; what depends on it must be short.
   */
  interface Later {
    CompletableFuture<JsonNode> call(Params params, Session session) throws RpcError;
  }

  record Method(String name, List<Params.Spec> params, Later handler) {
    /** A method answered on the caller's thread. */
    static Method now(String name, List<Params.Spec> params, Handler handler) {
      return new Method(name, params, (p, s) -> CompletableFuture.completedFuture(handler.call(p, s)));
    }
  }

  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // {"method":"service_list","method":"system_shutdown"} must not run the last one
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Map<String, Method> methods;
  private final Consumer<String> log;
  private final int maxReply;

  /** @param maxReply bytes a batch's replies may take together; past it the batch gets one error */
  Dispatcher(Map<String, Method> methods, Consumer<String> log, int maxReply) {
    this.methods = Map.copyOf(methods);
    this.log = log;
    this.maxReply = maxReply;
  }

  Set<String> methodNames() {
    return methods.keySet();
  }

  /** Handles one JSON text (a request or a batch); returns the reply, or null when none is due. */
  JsonNode handle(byte[] text, Session session) {
    return handleLater(text, session).join();
  }

  /**
   * {@link #handle} for a caller that need not wait: the reply of a single request to a {@link
   * Later} method completes on the thread that ends the call; every other reply is complete on
   * return. Never completes exceptionally.
   */
  CompletableFuture<JsonNode> handleLater(byte[] text, Session session) {
    JsonNode request = PlainRequests.read(text);
    if (request != null) return one(request, session); // a single object, read without Jackson
    try {
      request = JSON.readTree(text);
    } catch (MismatchedInputException e) {
      // the only mismatch a tree read reports: a duplicate key
      String why = e.getOriginalMessage();
      int cut = why.indexOf(" for `");
      return done(error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST, "invalid request: " + (cut > 0 ? why.substring(0, cut) : why))));
    } catch (JacksonException e) {
      return done(error(NullNode.instance, new RpcError(RpcError.PARSE_ERROR, "parse error: " + e.getOriginalMessage())));
    } catch (IOException e) {
      return done(error(NullNode.instance, new RpcError(RpcError.PARSE_ERROR, "parse error: " + e.getMessage())));
    }
    if (request.isMissingNode())
      return done(error(NullNode.instance, new RpcError(RpcError.PARSE_ERROR, "parse error: empty request")));
    if (!request.isArray()) return one(request, session);
    return done(handle(request, session));
  }

  private static CompletableFuture<JsonNode> done(JsonNode reply) {
    return CompletableFuture.completedFuture(reply);
  }

  JsonNode handle(JsonNode request, Session session) {
    if (!request.isArray()) return one(request, session).join();
    if (request.isEmpty())
      return error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST, "empty batch"));
    ArrayNode replies = NODES.arrayNode();
    long bytes = 0;
    int done = 0;
    for (JsonNode one : request) {
      JsonNode reply = one(one, session).join();
      done++;
      if (reply == null) continue;
      // counted as they come, so a batch of 20 000 large replies fails at the limit, not at OOM
      bytes += encode(reply).length;
      if (bytes > maxReply)
        return error(
            NullNode.instance,
            new RpcError(
                RpcError.INVALID_REQUEST,
                "batch replies exceed the limit of " + maxReply + " bytes after " + done + " of " + request.size()
                    + " calls (those ran; the rest did not): split the batch"));
      replies.add(reply);
    }
    return replies.isEmpty() ? null : replies;
  }

  static byte[] encode(JsonNode reply) {
    byte[] small = SmallReplies.line(reply);
    if (small != null) return small;
    return encodeWithJackson(reply);
  }

  /** What {@link #encode} gives for every reply; {@link SmallReplies} writes the same bytes. */
  static byte[] encodeWithJackson(JsonNode reply) {
    try {
      byte[] body = JSON.writeValueAsBytes(reply);
      byte[] line = new byte[body.length + 1];
      System.arraycopy(body, 0, line, 0, body.length);
      line[body.length] = '\n';
      return line;
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  /** The reply as a line; an error line in its place when it is larger than {@code max} bytes. */
  static byte[] encode(JsonNode reply, int max) {
    byte[] line = encode(reply);
    if (line.length <= max) return line;
    return encode(error(
        replyId(reply),
        new RpcError(RpcError.INTERNAL_ERROR, "reply of " + line.length + " bytes is larger than the limit of " + max + " bytes")));
  }

  /** The id a reply answers; null for a batch's. */
  static JsonNode replyId(JsonNode reply) {
    JsonNode id = reply.isObject() ? reply.get("id") : null;
    return id == null ? NullNode.instance : id;
  }

  static ObjectNode error(JsonNode id, RpcError e) {
    ObjectNode error = NODES.objectNode();
    error.put("code", e.code());
    error.put("message", e.getMessage());
    if (e.data() != null) error.set("data", e.data());
    ObjectNode reply = NODES.objectNode();
    reply.put("jsonrpc", "2.0");
    reply.set("error", error);
    reply.set("id", id);
    return reply;
  }

  private CompletableFuture<JsonNode> one(JsonNode request, Session session) {
    if (!request.isObject())
      return done(error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST, "a request must be an object")));
    JsonNode id = request.get("id");
    boolean notification = id == null;
    if (id != null && !(id.isTextual() || id.isNumber() || id.isNull()))
      return done(error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST, "id must be a string, a number or null")));
    if (id != null && id.isFloatingPointNumber() && !Double.isFinite(id.doubleValue()))
      return done(error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST, "id must be a finite number")));
    JsonNode replyId = notification ? NullNode.instance : id;
    JsonNode version = request.get("jsonrpc");
    if (version == null || !"2.0".equals(version.textValue()))
      return done(error(replyId, new RpcError(RpcError.INVALID_REQUEST, "jsonrpc must be \"2.0\"")));
    JsonNode name = request.get("method");
    if (name == null || !name.isTextual())
      return done(error(replyId, new RpcError(RpcError.INVALID_REQUEST, "method must be a string")));
    String method = name.textValue();
    CompletableFuture<JsonNode> result;
    try {
      result = call(method, request.get("params"), session);
    } catch (RpcError e) {
      return done(notification ? null : error(id, e));
    }
    if (result.isDone()) return done(reply(method, id, result));
    return result.handle((value, failure) -> reply(method, id, result));
  }

  private CompletableFuture<JsonNode> call(String name, JsonNode params, Session session) throws RpcError {
    Method method = methods.get(name);
    if (method == null) throw new RpcError(RpcError.METHOD_NOT_FOUND, "method '" + name + "' not found");
    Params resolved = Params.resolve(name, method.params(), params);
    try {
      return method.handler().call(resolved, session);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      throw failed(name, e);
    }
  }

  /** The reply to a call whose result is complete; null for a notification. */
  private JsonNode reply(String method, JsonNode id, CompletableFuture<JsonNode> completed) {
    JsonNode result;
    try {
      result = completed.join();
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      RpcError error = cause instanceof RpcError r ? r : failed(method, cause);
      return id == null ? null : error(id, error);
    }
    if (id == null) return null;
    ObjectNode reply = NODES.objectNode();
    reply.put("jsonrpc", "2.0");
    reply.set("result", result == null ? NullNode.instance : result);
    reply.set("id", id);
    return reply;
  }

  private RpcError failed(String name, Throwable e) {
    // an Error here is this one call's: the client gets an error, zinit and the connection live on
    log.accept("rpc: " + name + " failed: " + e);
    return Errors.internal(name, null, e);
  }
}
