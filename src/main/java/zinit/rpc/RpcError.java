package zinit.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** An error reply: handlers throw it, the dispatcher turns it into {@code {"error": ...}}. */
final class RpcError extends Exception {
  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  static final int INTERNAL_ERROR = -32603;

  private final int code;
  private final transient JsonNode data;

  RpcError(int code, String message, JsonNode data) {
    super(message, null, false, false);
    this.code = code;
    this.data = data;
  }

  RpcError(int code, String message) {
    this(code, message, null);
  }

  int code() {
    return code;
  }

  /** The structured detail object, or null. */
  JsonNode data() {
    return data;
  }

  static RpcError invalidParams(String message) {
    return new RpcError(INVALID_PARAMS, message);
  }
}
