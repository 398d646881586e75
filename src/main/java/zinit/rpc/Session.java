package zinit.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import zinit.logs.LineView;

/** What a method may ask of the connection it was called on. */
interface Session {
  /** Starts pushing log lines to this connection; returns the subscription id. */
  JsonNode subscribeLogs(String filterOrNull, boolean history, LineView view) throws RpcError;

  /** Stops a subscription of this connection; false when it has no such subscription. */
  boolean unsubscribe(JsonNode id);

  /** For transports without server push (HTTP POST). */
  Session NO_PUSH =
      new Session() {
        @Override
        public JsonNode subscribeLogs(String filterOrNull, boolean history, LineView view) throws RpcError {
          throw new RpcError(
              RpcError.METHOD_NOT_FOUND,
              "stream_subscribeLogs needs a persistent connection: use the unix socket, or GET /logs (server-sent events) over HTTP");
        }

        @Override
        public boolean unsubscribe(JsonNode id) {
          return false;
        }
      };
}
