package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's JSON against Jackson's reading of the same text, and on awkward input. */
class PlainJsonTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();

  private static List<Object> readAll(byte[] text, int chunk) throws IOException {
    PlainJson.Reader r = new PlainJson.Reader(new Trickle(text, chunk));
    List<Object> values = new ArrayList<>();
    for (Object v; (v = r.next()) != PlainJson.Reader.END; ) values.add(v);
    return values;
  }

  private static Object readOne(String text) throws IOException {
    List<Object> all = readAll(text.getBytes(StandardCharsets.UTF_8), 3);
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  @Test
  void readsWhatJacksonReadsEvenWhenBytesArriveThreeAtATime() throws Exception {
    String text =
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":[1,-2,3.5,1e3,true,false,null,{}],"
            + "\"s\":\"tab\\there \\\"q\\\" \\\\ \\u00e9\\ud83d\\ude00 h\u00e9 \u4e2d\",\"empty\":[],\"big\":12345678901234}}";
    Object mine = readOne(text);
    Object jacksons = JACKSON.readValue(text, Object.class);
    assertThat(JACKSON.writeValueAsString(mine)).isEqualTo(JACKSON.writeValueAsString(jacksons));
    assertThat(((Map<?, ?>) mine).get("id")).isEqualTo(7L);
  }

  @Test
  void valuesBackToBackAndNewlineSeparatedAreReadInTurn() throws Exception {
    byte[] text = "{\"id\":1}{\"id\":2}\n {\"id\":3}\n".getBytes(StandardCharsets.UTF_8);
    assertThat(readAll(text, 5)).containsExactly(Map.of("id", 1L), Map.of("id", 2L), Map.of("id", 3L));
  }

  @Test
  void multiByteCharactersSplitAcrossReadsSurvive() throws Exception {
    String line = "\u00e9\u4e2d\ud83d\ude00".repeat(5000);
    byte[] text = ("\"" + line + "\"").getBytes(StandardCharsets.UTF_8);
    assertThat(readAll(text, 8191)).containsExactly(line);
  }

  @Test
  void writesWhatJacksonReadsBack() throws Exception {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("name", "a \"b\" \\ c\n\t\u0001\u00e9");
    value.put("list", Arrays.asList(1, 2L, 2.5, true, null, Map.of()));
    StringBuilder b = new StringBuilder();
    PlainJson.write(b, value);
    assertThat(JACKSON.readValue(b.toString(), Object.class)).isEqualTo(JACKSON.readValue(JACKSON.writeValueAsString(value), Object.class));
  }

  @Test
  void malformedInputIsAnIoErrorSayingWhat() {
    assertThatThrownBy(() -> readOne("{\"a\" 1}")).isInstanceOf(IOException.class).hasMessageContaining("':' expected");
    assertThatThrownBy(() -> readOne("[1 2]")).isInstanceOf(IOException.class).hasMessageContaining("',' or ']'");
    assertThatThrownBy(() -> readOne("{\"a\":\"open")).isInstanceOf(IOException.class).hasMessageContaining("unterminated");
    assertThatThrownBy(() -> readOne("nope")).isInstanceOf(IOException.class).hasMessageContaining("bad literal");
  }

  @Test
  void whatFollowsAValueIsLeftForTheCaller() throws Exception {
    byte[] text = "{\"id\":1}\nrest of the stream".getBytes(StandardCharsets.UTF_8);
    PlainJson.Reader r = new PlainJson.Reader(new Trickle(text, 4096));
    assertThat(r.next()).isEqualTo(Map.of("id", 1L));
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    r.transferRest(rest);
    assertThat(rest.toString(StandardCharsets.UTF_8)).isEqualTo("\nrest of the stream");
  }

  /** A stream that hands out at most {@code chunk} bytes per read, as a socket may. */
  private static final class Trickle extends InputStream {
    private final ByteArrayInputStream in;
    private final int chunk;

    Trickle(byte[] bytes, int chunk) {
      this.in = new ByteArrayInputStream(bytes);
      this.chunk = chunk;
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, Math.min(len, chunk));
    }
  }
}
