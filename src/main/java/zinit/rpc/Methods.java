package zinit.rpc;

import static zinit.rpc.Params.Kind.BOOLEAN;
import static zinit.rpc.Params.Kind.ID;
import static zinit.rpc.Params.Kind.OBJECT;
import static zinit.rpc.Params.Kind.STRING;
import static zinit.rpc.Params.Spec.optional;
import static zinit.rpc.Params.Spec.required;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import zinit.config.ConfigException;
import zinit.config.Nesting;
import zinit.config.ServiceFiles;
import zinit.config.Signal;
import zinit.logs.LineView;
import zinit.logs.LogRing;
import zinit.metrics.Observability;
import zinit.supervisor.ProcessStats;
import zinit.supervisor.ServiceStatus;
import zinit.supervisor.Services;
import zinit.supervisor.ZinitException;

/** Every method zinit serves, by name: the table the dispatcher routes to. */
final class Methods {
  /** The OpenRPC document rpc.discover returns; it lists exactly the methods of {@link #table}. */
  static final String OPENRPC_RESOURCE = "/zinit/rpc/openrpc.json";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Services services;
  private final LogRing logs;
  private final ServiceFiles files;
  private final HttpControl http;
  private final Observability obs;
  /** The largest reply, in bytes: a log snapshot is cut to its newest lines to fit. */
  private final int maxReply;

  Methods(Services services, LogRing logs, ServiceFiles files, HttpControl http, Observability obs, int maxReply) {
    this.services = services;
    this.logs = logs;
    this.files = files;
    this.http = http;
    this.obs = obs;
    this.maxReply = maxReply;
  }

  /** Operations on the HTTP server that system_start/stop_http_server control. */
  interface HttpControl {
    String start(String address) throws RpcError;

    void stop() throws RpcError;
  }

  Map<String, Dispatcher.Method> table() {
    Map<String, Dispatcher.Method> t = new LinkedHashMap<>();
    add(t, "rpc.discover", List.of(), (p, s) -> openRpc());
    add(t, "service_list", List.of(), (p, s) -> list());
    add(t, "service_status", name(), (p, s) -> status(name(p, "getting status")));
    add(t, "service_start", name(), (p, s) -> run("starting service", name(p, "starting service"), services::start));
    // Answered by the thread that ends the stop: no wake-up of this connection's reader between.
    t.put(
        "service_stop",
        new Dispatcher.Method(
            "service_stop", name(), (p, s) -> stopping(name(p, "stopping service"))));
    add(t, "service_monitor", name(), (p, s) -> run("monitoring service", name(p, "monitoring service"), services::monitor));
    add(t, "service_forget", name(), (p, s) -> run("forgetting service", name(p, "forgetting service"), services::forget));
    add(t, "service_restart", name(), (p, s) -> run("restarting service", name(p, "restarting service"), services::restart));
    add(t, "system_reload", List.of(), (p, s) -> reload());
    add(
        t,
        "service_kill",
        List.of(required("name", STRING), required("signal", STRING)),
        (p, s) -> kill(name(p, "sending signal"), p.string("signal")));
    add(
        t,
        "service_create",
        List.of(required("name", STRING), required("content", OBJECT)),
        (p, s) -> create(name(p, "creating service"), p.node("content")));
    add(t, "service_delete", name(), (p, s) -> delete(name(p, "deleting service")));
    add(t, "service_get", name(), (p, s) -> get(name(p, "getting service")));
    add(t, "service_stats", name(), (p, s) -> stats(name(p, "collecting stats")));
    add(t, "service_file_get", name(), (p, s) -> fileText(name(p, "reading service file")));
    add(
        t,
        "service_file_put",
        List.of(required("name", STRING), required("yaml", STRING), optional("replace", BOOLEAN)),
        (p, s) -> putFile(name(p, "writing service file"), p.string("yaml"), p.flag("replace")));
    add(t, "system_shutdown", List.of(), (p, s) -> shutdown(false));
    add(t, "system_reboot", List.of(), (p, s) -> shutdown(true));
    add(
        t,
        "system_start_http_server",
        List.of(required("address", STRING)),
        (p, s) -> TextNode.valueOf(http.start(p.string("address"))));
    add(t, "system_stop_http_server", List.of(), (p, s) -> {
      http.stop();
      return null;
    });
    add(t, "system_metrics", List.of(), (p, s) -> TextNode.valueOf(obs.metrics()));
    add(t, "system_health", List.of(), (p, s) -> health());
    add(
        t,
        "stream_currentLogs",
        List.of(optional("name", STRING), optional("format", STRING)),
        (p, s) -> currentLogs(filter(p, "reading logs"), view(p, "reading logs")));
    add(
        t,
        "stream_subscribeLogs",
        List.of(optional("name", STRING), optional("history", BOOLEAN), optional("format", STRING)),
        (p, s) ->
            s.subscribeLogs(filter(p, "subscribing to logs"), p.flag("history"), view(p, "subscribing to logs")));
    add(
        t,
        "stream_unsubscribeLogs",
        List.of(required("subscription", ID)),
        (p, s) -> BooleanNode.valueOf(s.unsubscribe(p.node("subscription"))));
    return t;
  }

  private interface Action {
    void run(String name) throws ZinitException;
  }

  private static void add(
      Map<String, Dispatcher.Method> t, String name, List<Params.Spec> params, Dispatcher.Handler h) {
    t.put(name, Dispatcher.Method.now(name, params, h));
  }

  private static List<Params.Spec> name() {
    return List.of(required("name", STRING));
  }

  private static List<Params.Spec> filter() {
    return List.of(optional("name", STRING));
  }

  private static String name(Params p, String action) throws RpcError {
    String name = p.string("name");
    try {
      return ServiceFiles.checkName(name);
    } catch (IllegalArgumentException e) {
      throw Errors.invalidName(action, name, e.getMessage());
    }
  }

  private static String filter(Params p, String action) throws RpcError {
    return p.string("name") == null ? null : name(p, action);
  }

  /** The optional {@code format} of the log methods: text (default, as always), time or json. */
  private static LineView view(Params p, String action) throws RpcError {
    try {
      return LineView.parse(p.string("format"));
    } catch (IllegalArgumentException e) {
      throw RpcError.invalidParams(action + ": " + e.getMessage());
    }
  }

  private static JsonNode run(String action, String name, Action a) throws RpcError {
    try {
      a.run(name);
      return null;
    } catch (ZinitException e) {
      throw Errors.of(e, action, name);
    }
  }

  private CompletableFuture<JsonNode> stopping(String name) {
    return services
        .stopping(name)
        .handle(
            (ok, failure) -> {
              if (failure == null) return null;
              Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
              if (cause instanceof ZinitException z) throw new CompletionException(Errors.of(z, "stopping service", name));
              throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            });
  }

  private JsonNode openRpc() throws RpcError {
    try (InputStream in = Methods.class.getResourceAsStream(OPENRPC_RESOURCE)) {
      if (in == null) throw new IOException(OPENRPC_RESOURCE + " is not on the class path");
      JsonNode doc = Dispatcher.JSON.readTree(in);
      if (doc.get("info") instanceof ObjectNode info) info.put("version", zinit.Version.VALUE);
      return doc;
    } catch (IOException e) {
      throw Errors.internal("reading the OpenRPC document", null, e);
    }
  }

  private JsonNode list() {
    ObjectNode out = NODES.objectNode();
    services.list().forEach(out::put);
    return out;
  }

  private JsonNode status(String name) throws RpcError {
    ServiceStatus st;
    try {
      st = services.status(name);
    } catch (ZinitException e) {
      throw Errors.of(e, "getting status", name);
    }
    ObjectNode out = NODES.objectNode();
    out.put("name", st.name());
    out.put("pid", st.pid());
    out.put("state", st.state());
    out.put("target", st.target().name());
    ObjectNode after = out.putObject("after");
    st.after().forEach(after::put);
    out.put("restarts", st.restarts());
    if (st.nextRestart() != null) out.put("next_restart", st.nextRestart().toString());
    if (st.detail() != null) out.put("detail", st.detail());
    if (st.uptime() != null) out.put("uptime", st.uptime().toSeconds());
    st.model().forEach((key, value) -> out.set(key, Dispatcher.JSON.valueToTree(value)));
    obs.logFile(name).ifPresent(f -> {
      ObjectNode file = out.putObject("log_file");
      file.put("path", f.path().toString());
      file.put("lines_written", f.written());
      file.put("lines_lost", f.lost());
      if (f.errorOrNull() != null) file.put("error", f.errorOrNull());
    });
    return out;
  }

  private JsonNode health() {
    Observability.Health h = obs.health();
    ObjectNode out = NODES.objectNode();
    out.put("live", h.live());
    out.put("ready", h.ready());
    out.put("services", h.services());
    out.put("waiting", h.waiting());
    return out;
  }

  private JsonNode kill(String name, String signal) throws RpcError {
    Signal sig = Signal.parse(signal).orElseThrow(() -> Errors.invalidSignal("sending signal", name, signal));
    return run("sending signal", name, n -> services.kill(n, sig.name()));
  }

  private JsonNode create(String name, JsonNode content) throws RpcError {
    try {
      files.create(name, content);
      return TextNode.valueOf("Service '" + name + "' created successfully");
    } catch (Exception e) {
      throw fileError("creating service", name, e);
    }
  }

  private JsonNode delete(String name) throws RpcError {
    try {
      files.delete(name);
      return TextNode.valueOf("Service '" + name + "' deleted successfully");
    } catch (Exception e) {
      throw fileError("deleting service", name, e);
    }
  }

  private JsonNode get(String name) throws RpcError {
    try {
      return files.readJson(name);
    } catch (Exception e) {
      throw fileError("getting service", name, e);
    }
  }

  private JsonNode fileText(String name) throws RpcError {
    try {
      return TextNode.valueOf(files.readText(name));
    } catch (Exception e) {
      throw fileError("reading service file", name, e);
    }
  }

  private JsonNode putFile(String name, String yaml, boolean replace) throws RpcError {
    try {
      StringBuilder reply = new StringBuilder("Service file '" + name + "' written");
      // the file is written all the same; the editor shows these so a misspelt key is noticed
      files.write(name, yaml, replace, w -> reply.append("\nwarning: ").append(w));
      return TextNode.valueOf(reply.toString());
    } catch (Exception e) {
      throw fileError("writing service file", name, e);
    }
  }

  /** Maps what ServiceFiles throws to the domain errors the API documents. */
  private static RpcError fileError(String action, String name, Exception e) {
    return switch (e) {
      case NoSuchFileException x -> Errors.of(new ZinitException.NotFound(name), action, name);
      case FileAlreadyExistsException x -> Errors.of(new ZinitException.AlreadyExists(name), action, name);
      case Nesting.TooDeepException x -> Errors.of(new ZinitException.ServiceFileError(name, x.getMessage()), action, name);
      case ConfigException c -> {
        RpcError err = Errors.of(new ZinitException.ConfigError(name, c.getMessage()), action, name);
        if (err.data() instanceof ObjectNode data) {
          data.put("file", c.file());
          if (c.line() > 0) data.put("line", c.line());
          if (c.field() != null) data.put("field", c.field());
        }
        yield err;
      }
      case IllegalArgumentException x -> Errors.invalidName(action, name, x.getMessage());
      case IOException x -> Errors.of(new ZinitException.ServiceFileError(name, describe(x)), action, name);
      case RuntimeException x -> throw x;
      default -> Errors.internal(action, name, e);
    };
  }

  private static String describe(IOException e) {
    String what = e.getClass().getSimpleName().replace("Exception", "");
    return e.getMessage() == null ? what : what + ": " + e.getMessage();
  }

  private JsonNode stats(String name) throws RpcError {
    ProcessStats st;
    try {
      st = services.stats(name);
    } catch (ZinitException e) {
      throw Errors.of(e, "collecting stats", name);
    }
    ObjectNode out = NODES.objectNode();
    out.put("name", name);
    out.put("pid", st.pid());
    out.put("memory_usage", st.memory());
    out.put("cpu_usage", st.cpu());
    ArrayNode children = out.putArray("children");
    for (ProcessStats.ChildStats c : st.children()) {
      ObjectNode child = children.addObject();
      child.put("pid", c.pid());
      child.put("memory_usage", c.memory());
      child.put("cpu_usage", c.cpu());
    }
    out.put("total_memory_usage", st.totalMemory());
    out.put("total_cpu_usage", st.totalCpu());
    if (!st.cgroup().isEmpty()) out.set("cgroup", Dispatcher.JSON.valueToTree(st.cgroup()));
    return out;
  }

  private JsonNode shutdown(boolean reboot) throws RpcError {
    try {
      services.shutdown(reboot);
      return null;
    } catch (ZinitException e) {
      throw Errors.of(e, reboot ? "system reboot" : "system shutdown", null);
    }
  }

  private JsonNode reload() throws RpcError {
    try {
      ObjectNode out = NODES.objectNode();
      services.reload().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    } catch (ZinitException e) {
      throw Errors.of(e, "reloading the config dir", null);
    }
  }

  /**
   * The buffer's lines, oldest first. When they do not fit in one reply (2000 lines of ~600 bytes
   * do not), the newest that fit, after a line that says how many older ones are left out:
   * before, the whole reply was an error and `zinit log -s` showed nothing.
   */
  private JsonNode currentLogs(String filter, LineView view) {
    List<String> lines = logs.snapshot(filter, view);
    // the reply's envelope, its id and the notice take the rest
    int from = newestThatFit(lines, maxReply - Math.min(64 * 1024, maxReply / 4));
    ArrayNode out = NODES.arrayNode();
    if (from > 0) {
      out.add("[-] zinit: " + from + " older log lines left out: the " + lines.size() + " lines are more than a reply may"
          + " hold (" + maxReply + " bytes); zinit log (following) shows them all");
    }
    for (int i = from; i < lines.size(); i++) out.add(lines.get(i));
    return out;
  }

  /** Index of the oldest of the newest {@code lines} that fit in {@code room} bytes as JSON strings. */
  static int newestThatFit(List<String> lines, long room) {
    long worst = 0;
    // quotes and a comma each; an escaped control char (6 bytes) is the longest a char becomes
    for (String l : lines) worst += 6L * l.length() + 3;
    if (worst <= room) return 0;
    JsonStringEncoder json = JsonStringEncoder.getInstance();
    long used = 0;
    for (int i = lines.size() - 1; i >= 0; i--) {
      used += json.quoteAsUTF8(lines.get(i)).length + 3;
      if (used > room) return i + 1;
    }
    return 0;
  }
}
