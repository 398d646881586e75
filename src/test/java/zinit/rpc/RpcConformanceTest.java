package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zinit.supervisor.Target;

/** Every method of the reference OpenRPC document over a raw socket, with named and positional params. */
class RpcConformanceTest {
  private Fixture f;
  private RawClient c;
  private int id;

  @BeforeEach
  void start() throws Exception {
    f = new Fixture();
    f.services
        .with("redis", "Running", Target.Up, 1234, "db", "missing")
        .with("db", "Success", Target.Up, 0)
        .with("idle", "Success", Target.Down, 0);
    c = f.client();
  }

  @AfterEach
  void stop() throws Exception {
    c.close();
    f.close();
  }

  private JsonNode call(String method, String params) throws Exception {
    JsonNode reply =
        c.call("{\"jsonrpc\":\"2.0\",\"id\":" + (++id) + ",\"method\":\"" + method + "\"" + (params == null ? "" : ",\"params\":" + params) + "}");
    assertThat(reply.get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(reply.get("id").asInt()).isEqualTo(id);
    return reply;
  }

  private JsonNode result(String method, String params) throws Exception {
    JsonNode reply = call(method, params);
    assertThat(reply.has("error")).as("error in %s", reply).isFalse();
    return reply.get("result");
  }

  private JsonNode error(String method, String params, int code) throws Exception {
    JsonNode reply = call(method, params);
    assertThat(reply.has("result")).as("result in %s", reply).isFalse();
    assertThat(reply.at("/error/code").asInt()).as("code of %s", reply).isEqualTo(code);
    return reply.get("error");
  }

  @Test
  void listMapsEveryServiceToItsState() throws Exception {
    assertThat(result("service_list", null).toString()).isEqualTo("{\"db\":\"Success\",\"idle\":\"Success\",\"redis\":\"Running\"}");
    assertThat(result("service_list", "[]").size()).isEqualTo(3);
    assertThat(result("service_list", "{}").size()).isEqualTo(3);
  }

  @Test
  void statusHasTheDocumentedShapeByNameAndByPosition() throws Exception {
    for (String params : new String[] {"{\"name\":\"redis\"}", "[\"redis\"]"}) {
      JsonNode st = result("service_status", params);
      assertThat(st.get("name").asText()).isEqualTo("redis");
      assertThat(st.get("pid").asInt()).isEqualTo(1234);
      assertThat(st.get("state").asText()).isEqualTo("Running");
      assertThat(st.get("target").asText()).isEqualTo("Up");
      assertThat(st.get("after").toString()).isEqualTo("{\"db\":\"Success\",\"missing\":\"Unknown\"}");
    }
  }

  @Test
  void unknownServiceIsMinus32000WithActionDetailAndData() throws Exception {
    JsonNode e = error("service_status", "[\"nope\"]", -32000);
    assertThat(e.get("message").asText()).isEqualTo("getting status: service 'nope' not found");
    assertThat(e.at("/data/code_name").asText()).isEqualTo("ServiceNotFound");
    assertThat(e.at("/data/service").asText()).isEqualTo("nope");
    assertThat(e.at("/data/action").asText()).isEqualTo("getting status");
    assertThat(e.at("/data/hint").asText()).isNotEmpty();
    error("service_start", "{\"name\":\"nope\"}", -32000);
    error("service_stop", "[\"nope\"]", -32000);
    error("service_forget", "[\"nope\"]", -32000);
    error("service_kill", "[\"nope\",\"SIGTERM\"]", -32000);
    error("service_stats", "[\"nope\"]", -32000);
    error("service_get", "[\"nope\"]", -32000);
    error("service_delete", "[\"nope\"]", -32000);
  }

  @Test
  void startAndStopChangeTheTargetAndReturnNull() throws Exception {
    assertThat(result("service_stop", "{\"name\":\"redis\"}").isNull()).isTrue();
    assertThat(f.services.services.get("redis").target()).isEqualTo(Target.Down);
    error("service_stop", "[\"redis\"]", -32003);
    assertThat(result("service_start", "[\"redis\"]").isNull()).isTrue();
    assertThat(f.services.calls).containsExactly("stop redis", "start redis");
  }

  @Test
  void monitorLoadsOnceAndReportsConfigErrors() throws Exception {
    assertThat(result("service_monitor", "[\"web\"]").isNull()).isTrue();
    JsonNode again = error("service_monitor", "{\"name\":\"web\"}", -32001);
    assertThat(again.at("/data/code_name").asText()).isEqualTo("ServiceAlreadyMonitored");
    JsonNode broken = error("service_monitor", "[\"broken\"]", -32005);
    assertThat(broken.get("message").asText()).contains("monitoring service", "field 'exec'");
  }

  @Test
  void forgetRefusesAServiceThatIsUp() throws Exception {
    error("service_forget", "[\"redis\"]", -32002);
    assertThat(result("service_forget", "{\"name\":\"idle\"}").isNull()).isTrue();
    assertThat(f.services.services).doesNotContainKey("idle");
  }

  @Test
  void killParsesTheSignalAndRefusesAnInvalidOne() throws Exception {
    assertThat(result("service_kill", "[\"redis\",\"term\"]").isNull()).isTrue();
    assertThat(result("service_kill", "{\"name\":\"redis\",\"signal\":\"9\"}").isNull()).isTrue();
    assertThat(f.services.calls).containsExactly("kill redis SIGTERM", "kill redis SIGKILL");
    JsonNode e = error("service_kill", "[\"redis\",\"SIGNOPE\"]", -32004);
    assertThat(e.get("message").asText()).isEqualTo("sending signal: invalid signal 'SIGNOPE'");
    error("service_kill", "[\"idle\",\"SIGTERM\"]", -32003);
  }

  @Test
  void statsHasTheDocumentedShape() throws Exception {
    JsonNode st = result("service_stats", "{\"name\":\"redis\"}");
    assertThat(st.get("name").asText()).isEqualTo("redis");
    assertThat(st.get("pid").asInt()).isEqualTo(1234);
    assertThat(st.get("memory_usage").asLong()).isEqualTo(10485760);
    assertThat(st.get("cpu_usage").asDouble()).isEqualTo(2.5);
    assertThat(st.at("/children/0/pid").asInt()).isEqualTo(1235);
    assertThat(st.at("/children/0/memory_usage").asLong()).isEqualTo(5242880);
    assertThat(st.at("/children/0/cpu_usage").asDouble()).isEqualTo(1.25);
    error("service_stats", "[\"idle\"]", -32003);
  }

  @Test
  void createGetDeleteRoundTripThroughTheConfigDir() throws Exception {
    String content = "{\"exec\":\"sleep 100\",\"oneshot\":false,\"after\":[\"db\"],\"log\":\"ring\",\"env\":{\"A\":\"b\"},\"shutdown_timeout\":5}";
    assertThat(result("service_create", "{\"name\":\"web\",\"content\":" + content + "}").asText())
        .isEqualTo("Service 'web' created successfully");
    assertThat(f.configDir.resolve("web.yaml")).exists();
    JsonNode got = result("service_get", "[\"web\"]");
    assertThat(got.get("exec").asText()).isEqualTo("sleep 100");
    assertThat(got.at("/env/A").asText()).isEqualTo("b");
    assertThat(error("service_create", "[\"web\"," + content + "]", -32007).at("/data/code_name").asText())
        .isEqualTo("ServiceAlreadyExists");
    assertThat(result("service_delete", "{\"name\":\"web\"}").asText()).isEqualTo("Service 'web' deleted successfully");
    assertThat(f.configDir.resolve("web.yaml")).doesNotExist();
  }

  @Test
  void createRefusesInvalidContentNamingTheField() throws Exception {
    JsonNode e = error("service_create", "[\"bad\",{\"oneshot\":true}]", -32005);
    assertThat(e.get("message").asText()).startsWith("creating service: ").contains("exec");
    assertThat(e.at("/data/field").asText()).isEqualTo("exec");
    assertThat(f.configDir.resolve("bad.yaml")).doesNotExist();
  }

  @Test
  void aDirectoryNamedLikeAServiceFileIsNotDeleted() throws Exception {
    Files.createDirectories(f.configDir.resolve("empty.yaml"));
    JsonNode e = error("service_delete", "[\"empty\"]", -32008);
    assertThat(e.get("message").asText()).contains("directory");
    assertThat(f.configDir.resolve("empty.yaml")).isDirectory();
  }

  @Test
  void serviceFileThatCannotBeRemovedIsMinus32008() throws Exception {
    Files.createDirectories(f.configDir.resolve("stuck.yaml").resolve("inside"));
    assertThat(error("service_delete", "[\"stuck\"]", -32008).at("/data/code_name").asText()).isEqualTo("ServiceFileError");
  }

  @Test
  void namesThatLeaveTheConfigDirAreInvalidParams() throws Exception {
    for (String name : new String[] {"../etc/passwd", "..", ".hidden", "a/b", "", "a\\\\b"}) {
      for (String method : new String[] {"service_get", "service_delete", "service_monitor", "service_status", "service_forget"}) {
        JsonNode e = error(method, "[\"" + name + "\"]", -32602);
        assertThat(e.at("/data/code_name").asText()).isEqualTo("InvalidServiceName");
      }
      error("service_create", "[\"" + name + "\",{\"exec\":\"true\"}]", -32602);
    }
    try (var files = Files.list(f.dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("etc", "zinit.sock");
    }
  }

  @Test
  void shutdownAndRebootRefuseASecondTimeAndNewStarts() throws Exception {
    assertThat(result("system_shutdown", null).isNull()).isTrue();
    error("system_reboot", "[]", -32006);
    JsonNode e = error("service_start", "[\"redis\"]", -32006);
    assertThat(e.at("/data/code_name").asText()).isEqualTo("ShuttingDown");
  }

  @Test
  void rebootAsksTheSupervisorToReboot() throws Exception {
    assertThat(result("system_reboot", null).isNull()).isTrue();
    assertThat(f.services.calls).containsExactly("reboot");
  }

  @Test
  void currentLogsFiltersByExactServiceName() throws Exception {
    f.logs.append("redis", false, "ready");
    f.logs.append("red", true, "oops");
    assertThat(result("stream_currentLogs", null).size()).isEqualTo(2);
    assertThat(result("stream_currentLogs", "[\"redis\"]").toString()).isEqualTo("[\"[+] redis: ready\"]");
    assertThat(result("stream_currentLogs", "{\"name\":\"red\"}").toString()).isEqualTo("[\"[-] red: oops\"]");
  }

  @Test
  void httpServerStartsOnlyOnAValidAddressAndStopsOnce() throws Exception {
    error("system_start_http_server", "[\"not an address\"]", -32602);
    assertThat(result("system_start_http_server", "{\"address\":\"127.0.0.1:0\"}").asText()).startsWith("HTTP server started at 127.0.0.1:");
    assertThat(zinit.http.HttpProxy.tokenFile(f.socket)).exists();
    assertThat(result("system_stop_http_server", null).isNull()).isTrue();
    assertThat(zinit.http.HttpProxy.tokenFile(f.socket)).doesNotExist();
    error("system_stop_http_server", "[]", -32602);
  }

  @Test
  void paramErrorsNameTheParam() throws Exception {
    assertThat(error("service_status", null, -32602).get("message").asText()).contains("missing param 'name'");
    assertThat(error("service_status", "{}", -32602).get("message").asText()).contains("missing param 'name'");
    assertThat(error("service_status", "[42]", -32602).get("message").asText()).contains("param 'name' must be a string");
    assertThat(error("service_status", "{\"nmae\":\"x\"}", -32602).get("message").asText()).contains("unknown param 'nmae'");
    assertThat(error("service_kill", "[\"a\",\"b\",\"c\"]", -32602).get("message").asText()).contains("at most 2 params");
    assertThat(error("service_kill", "[\"redis\"]", -32602).get("message").asText()).contains("missing param 'signal'");
    assertThat(error("service_create", "[\"x\",\"exec: true\"]", -32602).get("message").asText()).contains("'content' must be an object");
  }

  @Test
  void unknownMethodIsMinus32601() throws Exception {
    assertThat(error("service_explode", null, -32601).get("message").asText()).contains("service_explode");
  }

  @Test
  void malformedRequestsAreMinus32600() throws Exception {
    JsonNode noVersion = c.call("{\"id\":1,\"method\":\"service_list\"}");
    assertThat(noVersion.at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(noVersion.get("id").asInt()).isEqualTo(1);
    assertThat(c.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":7}").at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(c.call("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"service_list\"}").at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(c.call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"service_list\",\"params\":\"x\"}").at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(c.call("[]").at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(c.call("42").at("/error/code").asInt()).isEqualTo(-32600);
  }

  @Test
  void stringIdsAreEchoed() throws Exception {
    JsonNode reply = c.call("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"service_list\"}");
    assertThat(reply.get("id").asText()).isEqualTo("abc");
  }
}
