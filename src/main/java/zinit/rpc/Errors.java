package zinit.rpc;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import zinit.supervisor.ZinitException;

/**
 * The one place that turns failures into JSON-RPC errors. Messages read "action: detail"; data
 * carries code_name, service, action and hint, as the original's replies do.
 */
final class Errors {
  private Errors() {}

  static RpcError of(ZinitException e, String action) {
    return error(e.code(), codeName(e), action, e.service(), e.getMessage(), hint(e));
  }

  static RpcError invalidName(String action, String name, String reason) {
    return error(
        RpcError.INVALID_PARAMS,
        "InvalidServiceName",
        action,
        name,
        reason,
        "a service name is a file name in the config dir: no '/', no leading '.', not empty");
  }

  static RpcError invalidSignal(String action, String service, String signal) {
    return of(new ZinitException.InvalidSignal(signal), action, service);
  }

  static RpcError internal(String action, String service, Throwable e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return error(
        RpcError.INTERNAL_ERROR,
        "InternalError",
        action,
        service,
        detail,
        "zinit's own log (zinit log zinit) may say more");
  }

  /** Like {@link #of(ZinitException, String)} for errors that do not know their service. */
  static RpcError of(ZinitException e, String action, String service) {
    return error(
        e.code(), codeName(e), action, e.service() != null ? e.service() : service, e.getMessage(), hint(e));
  }

  private static RpcError error(
      int code, String codeName, String action, String service, String detail, String hint) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("code_name", codeName);
    if (service != null) data.put("service", service);
    else data.putNull("service");
    data.put("action", action);
    data.put("hint", hint);
    return new RpcError(code, action + ": " + detail, data);
  }

  private static String codeName(ZinitException e) {
    return switch (e) {
      case ZinitException.NotFound x -> "ServiceNotFound";
      case ZinitException.AlreadyMonitored x -> "ServiceAlreadyMonitored";
      case ZinitException.IsUp x -> "ServiceIsUp";
      case ZinitException.IsDown x -> "ServiceIsDown";
      case ZinitException.InvalidSignal x -> "InvalidSignal";
      case ZinitException.ConfigError x -> "ConfigError";
      case ZinitException.ShuttingDown x -> "ShuttingDown";
      case ZinitException.AlreadyExists x -> "ServiceAlreadyExists";
      case ZinitException.ServiceFileError x -> "ServiceFileError";
    };
  }

  private static String hint(ZinitException e) {
    return switch (e) {
      case ZinitException.NotFound x ->
          x.loadError() != null
              ? "fix the service file, then load it with 'zinit monitor " + x.service() + "'"
              : "check the name with 'zinit list', or load it with 'zinit monitor'";
      case ZinitException.AlreadyMonitored x -> "control it with start/stop, or forget it first";
      case ZinitException.IsUp x -> "stop the service first";
      case ZinitException.IsDown x -> "start the service first";
      case ZinitException.InvalidSignal x -> "use a signal name like SIGTERM, TERM or a number like 15";
      case ZinitException.ConfigError x -> "fix the service file at the file and line named";
      case ZinitException.ShuttingDown x -> "zinit is shutting down and accepts no new work";
      case ZinitException.AlreadyExists x -> "use another name or delete the existing service first";
      case ZinitException.ServiceFileError x -> "check the config dir's permissions and free space";
    };
  }
}
