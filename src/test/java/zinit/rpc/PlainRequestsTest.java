package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The request reader without Jackson: what it reads, Jackson reads into the same tree without
 * complaint; everything else it leaves to Jackson, whose errors therefore stay as they were.
 */
class PlainRequestsTest {
  /** Requests as clients send them: Python's json.dumps, zinit's CLI, hand-written ones. */
  private static final List<String> COMMON =
      List.of(
          "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"service_stop\", \"params\": [\"sleeper00\"]}",
          "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"service_stop\",\"params\":{\"name\":\"web\"}}",
          "{\"jsonrpc\":\"2.0\",\"method\":\"service_list\",\"params\":[],\"id\":\"a-1\"}",
          "{\"jsonrpc\":\"2.0\",\"method\":\"service_list\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"service_list\",\"params\":null}",
          "  {\"jsonrpc\" : \"2.0\" ,\t\"id\" : -2147483648 ,\r\n \"method\" : \"x\" }  \n",
          "{\"id\":2147483648,\"jsonrpc\":\"2.0\",\"method\":\"service_status\",\"params\":[\"a\"]}",
          "{\"id\":-999999999999999999,\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"history\":true,\"x\":false,\"n\":0}}",
          "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"service_kill\",\"params\":[\"web\",\"SIGTERM\"]}",
          "{}",
          "{\"a\":[]}",
          "{\"a\":{}}",
          "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"stream_subscribeLogs\",\"params\":{\"name\":\"web\",\"history\":true}}");

  /** Texts Jackson must read (or refuse) itself. */
  private static final List<String> JACKSONS =
      List.of(
          "",
          "   ",
          "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\"}]",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\",\"method\":\"system_shutdown\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"m\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":1e3,\"method\":\"m\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":01,\"method\":\"m\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":-0,\"method\":\"m\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":1234567890123456789,\"method\":\"m\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_stop\",\"params\":[\"w\\u00e9b\"]}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_stop\",\"params\":[\"w\u00e9b\"]}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_stop\",\"params\":[\"a\\\"b\"]}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_stop\",\"params\":[\"tab\there\"]}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_create\",\"params\":{\"name\":\"a\",\"content\":{\"exec\":{\"x\":1}}}}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[[1]]}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"} {}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",}",
          "{\"jsonrpc\":\"2.0\",\"id\":truex,\"method\":\"m\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":tru,\"method\":\"m\"}",
          "{'jsonrpc':'2.0'}",
          "{\"jsonrpc\":\"2.0\" /* c */}",
          "\ufeff{\"jsonrpc\":\"2.0\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"",
          "{\"jsonrpc\":\"2.0\",\"id\":-,\"method\":\"m\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":1\u000b,\"method\":\"m\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"del\u007f\"}",
          "null",
          "42");

  @Test
  void readsCommonRequestsIntoJacksonsTree() throws Exception {
    for (String text : COMMON) {
      JsonNode plain = PlainRequests.read(bytes(text));
      assertThat(plain).as(text).isNotNull();
      assertSameTree(text, plain);
    }
  }

  @Test
  void leavesEverythingElseToJackson() {
    for (String text : JACKSONS) assertThat(PlainRequests.read(bytes(text))).as(text).isNull();
  }

  @Test
  void mutatedRequestsAreReadAsJacksonReadsThemOrLeftToIt() throws Exception {
    Random random = new Random(13);
    String alphabet = "{}[]:,\" \t\n\r\\-+.0123456789eEtruefalsnxa/\u007f\u0001\u00e9";
    int read = 0;
    for (int round = 0; round < 20_000; round++) {
      StringBuilder text = new StringBuilder(COMMON.get(random.nextInt(COMMON.size())));
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(text.length() + 1);
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(3)) {
          case 0 -> text.insert(at, c);
          case 1 -> {
            if (at < text.length()) text.deleteCharAt(at);
          }
          default -> {
            if (at < text.length()) text.setCharAt(at, c);
          }
        }
      }
      JsonNode plain = PlainRequests.read(bytes(text.toString()));
      if (plain == null) continue;
      read++;
      assertSameTree(text.toString(), plain);
    }
    assertThat(read).as("mutations still read without Jackson").isGreaterThan(1000);
  }

  private static void assertSameTree(String text, JsonNode plain) throws Exception {
    JsonNode jackson = Dispatcher.JSON.readTree(bytes(text)); // throws if Jackson refuses it
    assertThat(plain).as(text).isEqualTo(jackson);
    // node classes too (an IntNode is not a LongNode), field order included
    assertThat(plain.toString()).as(text).isEqualTo(jackson.toString());
    assertSameClasses(text, plain, jackson);
  }

  private static void assertSameClasses(String text, JsonNode a, JsonNode b) {
    assertThat(a.getClass()).as(text).isEqualTo(b.getClass());
    for (int i = 0; i < a.size(); i++) {
      if (a.isArray()) assertSameClasses(text, a.get(i), b.get(i));
    }
    for (var field : a.properties()) assertSameClasses(text, field.getValue(), b.get(field.getKey()));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
