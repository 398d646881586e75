package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogNotesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void writesTheSameTextJacksonWritesForTheNotificationTree() throws Exception {
    String[] lines = {
      "[+] redis: ready",
      "",
      "quote \" backslash \\ slash / tab \t cr \r nl \n bell \u0007 esc \u001b del \u007f",
      "latin1 é ß ÿ, bmp € 漢字, emoji \uD83D\uDE00, line sep \u2028",
    };
    for (String line : lines) {
      LogNotes notes = new LogNotes(1234567890123L);
      notes.add(line);
      String ours = new String(notes.take(), StandardCharsets.UTF_8);
      assertThat(ours).isEqualTo(jackson(1234567890123L, line));
    }
  }

  @Test
  void aBatchIsOneNotificationPerLineAndTakeStartsOver() throws Exception {
    LogNotes notes = new LogNotes(7);
    notes.add("one");
    notes.add("two \"2\"");
    String batch = new String(notes.take(), StandardCharsets.UTF_8);
    assertThat(batch).endsWith("\n");
    assertThat(batch.split("\n", -1)).hasSize(3);
    assertThat(JSON.readTree(batch.split("\n")[1]).at("/params/result").asText()).isEqualTo("two \"2\"");
    assertThat(notes.size()).isZero();
    notes.add("three");
    assertThat(JSON.readTree(notes.take()).at("/params/result").asText()).isEqualTo("three");
  }

  @Test
  void aLoneSurrogateBecomesAQuestionMarkAndTheTextStaysValidJson() throws Exception {
    LogNotes notes = new LogNotes(1);
    notes.add("a\uD800b\uDC00c");
    JsonNode n = JSON.readTree(notes.take());
    assertThat(n.at("/params/result").asText()).isEqualTo("a?b?c");
  }

  @Test
  void longLinesGrowTheBuffer() throws Exception {
    LogNotes notes = new LogNotes(1);
    String big = "\u0001".repeat(20_000) + "€".repeat(10_000);
    notes.add(big);
    assertThat(JSON.readTree(notes.take()).at("/params/result").asText()).isEqualTo(big);
  }

  private static String jackson(long id, String line) throws Exception {
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    params.put("subscription", id);
    params.put("result", line);
    ObjectNode note = JsonNodeFactory.instance.objectNode();
    note.put("jsonrpc", "2.0");
    note.put("method", "stream_subscribeLogs");
    note.set("params", params);
    return JSON.writeValueAsString(note) + "\n";
  }
}
