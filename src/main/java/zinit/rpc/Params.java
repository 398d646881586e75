package zinit.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** A request's params, matched by name or by position against a method's declared params. */
final class Params {
  enum Kind {
    STRING,
    OBJECT,
    BOOLEAN,
    /** A subscription id: a number or a string. */
    ID
  }

  record Spec(String name, Kind kind, boolean required) {
    static Spec required(String name, Kind kind) {
      return new Spec(name, kind, true);
    }

    static Spec optional(String name, Kind kind) {
      return new Spec(name, kind, false);
    }
  }

  private final Map<String, JsonNode> values;

  private Params(Map<String, JsonNode> values) {
    this.values = values;
  }

  /** A null node or a missing member both mean "not given". */
  static Params resolve(String method, List<Spec> specs, JsonNode params) throws RpcError {
    Map<String, JsonNode> values = new HashMap<>();
    if (params == null || params.isNull()) {
      // no params at all
    } else if (params.isArray()) {
      if (params.size() > specs.size())
        throw RpcError.invalidParams(
            method + ": expected at most " + specs.size() + " params, got " + params.size());
      for (int i = 0; i < params.size(); i++) values.put(specs.get(i).name(), params.get(i));
    } else if (params.isObject()) {
      for (Iterator<String> it = params.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!declared(specs, key))
          throw RpcError.invalidParams(method + ": unknown param '" + key + "'");
        values.put(key, params.get(key));
      }
    } else {
      throw new RpcError(RpcError.INVALID_REQUEST, "params must be an array or an object");
    }
    for (Spec spec : specs) {
      JsonNode v = values.get(spec.name());
      if (v == null || v.isNull()) {
        if (spec.required()) throw RpcError.invalidParams(method + ": missing param '" + spec.name() + "'");
        values.remove(spec.name());
        continue;
      }
      boolean ok =
          switch (spec.kind()) {
            case STRING -> v.isTextual();
            case OBJECT -> v.isObject();
            case BOOLEAN -> v.isBoolean();
            case ID -> v.isTextual() || v.isIntegralNumber();
          };
      if (!ok)
        throw RpcError.invalidParams(
            method + ": param '" + spec.name() + "' must be " + describe(spec.kind()) + ", got " + v.getNodeType().name().toLowerCase());
    }
    return new Params(values);
  }

  private static boolean declared(List<Spec> specs, String name) {
    for (Spec s : specs) if (s.name().equals(name)) return true;
    return false;
  }

  /** The string param, or null when an optional one was not given. */
  String string(String name) {
    JsonNode v = values.get(name);
    return v == null ? null : v.textValue();
  }

  /** An optional boolean param; false when not given. */
  boolean flag(String name) {
    JsonNode v = values.get(name);
    return v != null && v.booleanValue();
  }

  JsonNode node(String name) {
    return values.get(name);
  }

  private static String describe(Kind kind) {
    return switch (kind) {
      case STRING -> "a string";
      case OBJECT -> "an object";
      case BOOLEAN -> "true or false";
      case ID -> "a subscription id (number or string)";
    };
  }
}
