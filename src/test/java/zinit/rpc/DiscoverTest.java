package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** rpc.discover describes exactly what the server serves, which covers the original's API. */
class DiscoverTest {
  /** The original zinit's OpenRPC document, kept as a fixture. */
  private static final String REFERENCE = "/zinit/rpc/reference-openrpc.json";

  private static Set<String> names(JsonNode doc) {
    Set<String> out = new TreeSet<>();
    doc.get("methods").forEach(m -> out.add(m.get("name").asText()));
    return out;
  }

  @Test
  void discoverReturnsOurDocumentListingExactlyTheServedMethods() throws Exception {
    try (Fixture f = new Fixture(); RawClient c = f.client()) {
      JsonNode doc = c.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rpc.discover\"}").get("result");
      assertThat(doc.isObject()).isTrue();
      assertThat(doc.get("openrpc").asText()).isEqualTo("1.2.6");
      assertThat(names(doc)).isEqualTo(new TreeSet<>(f.server.methodNames()));
    }
  }

  @Test
  void everyMethodOfTheOriginalIsServedPlusUnsubscribeAndTheFileEditor() throws Exception {
    JsonNode ours = new ObjectMapper().readTree(DiscoverTest.class.getResourceAsStream(Methods.OPENRPC_RESOURCE));
    Set<String> reference = names(new ObjectMapper().readTree(DiscoverTest.class.getResourceAsStream(REFERENCE)));
    Set<String> extra = new TreeSet<>(names(ours));
    extra.removeAll(reference);
    assertThat(names(ours)).containsAll(reference);
    assertThat(extra)
        .containsExactlyInAnyOrder(
            "stream_unsubscribeLogs",
            "system_metrics",
            "system_health",
            "service_restart",
            "system_reload",
            "service_file_get",
            "service_file_put");
  }
}
