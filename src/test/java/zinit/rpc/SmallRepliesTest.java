package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import zinit.supervisor.ZinitException;

/** The hand-written replies are Jackson's bytes, or left to Jackson. */
class SmallRepliesTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static ObjectNode result(JsonNode result, JsonNode id) {
    ObjectNode reply = NODES.objectNode();
    reply.put("jsonrpc", "2.0");
    reply.set("result", result);
    reply.set("id", id);
    return reply;
  }

  private static void sameAsJackson(JsonNode reply) {
    byte[] small = SmallReplies.line(reply);
    assertThat(small).as("written by hand: %s", reply).isNotNull();
    assertThat(new String(small, StandardCharsets.UTF_8))
        .isEqualTo(new String(Dispatcher.encodeWithJackson(reply), StandardCharsets.UTF_8));
    assertThat(Dispatcher.encode(reply)).isEqualTo(small);
  }

  @Test
  void stopReplyIsJacksonsBytes() {
    sameAsJackson(result(NullNode.instance, IntNode.valueOf(1)));
    sameAsJackson(result(NullNode.instance, LongNode.valueOf(Long.MIN_VALUE)));
    sameAsJackson(result(NullNode.instance, TextNode.valueOf("req \"7\"")));
    sameAsJackson(result(NullNode.instance, NullNode.instance));
  }

  @Test
  void scalarResultsAreJacksonsBytes() {
    sameAsJackson(result(TextNode.valueOf("127.0.0.1:8080"), IntNode.valueOf(-3)));
    sameAsJackson(result(BooleanNode.TRUE, IntNode.valueOf(Integer.MAX_VALUE)));
    sameAsJackson(result(BooleanNode.FALSE, IntNode.valueOf(0)));
    sameAsJackson(result(LongNode.valueOf(9007199254740991L), IntNode.valueOf(2)));
    sameAsJackson(result(TextNode.valueOf(""), IntNode.valueOf(2)));
  }

  @Test
  void everyAsciiCharacterIsEscapedAsJacksonEscapesIt() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x80; c++) all.append(c);
    sameAsJackson(result(TextNode.valueOf(all.toString()), TextNode.valueOf(all.toString())));
    for (char c = 0; c < 0x80; c++) {
      sameAsJackson(result(TextNode.valueOf("a" + c + "b"), IntNode.valueOf(c)));
      sameAsJackson(result(TextNode.valueOf(String.valueOf(c)), IntNode.valueOf(c)));
    }
  }

  @Test
  void errorRepliesAreJacksonsBytes() {
    JsonNode id = IntNode.valueOf(4);
    sameAsJackson(Dispatcher.error(id, Errors.of(new ZinitException.NotFound("web"), "stopping service", "web")));
    sameAsJackson(Dispatcher.error(id, Errors.invalidName("stopping service", "../x", "no '/' in a name")));
    sameAsJackson(Dispatcher.error(id, Errors.internal("service_stop", null, new IllegalStateException("boom\n\t\"x\""))));
    sameAsJackson(Dispatcher.error(NullNode.instance, new RpcError(RpcError.PARSE_ERROR, "parse error: Unexpected character ('}' (code 125))")));
    sameAsJackson(Dispatcher.error(NullNode.instance, new RpcError(RpcError.METHOD_NOT_FOUND, "method 'nope' not found")));
  }

  @Test
  void otherShapesAreLeftToJackson() {
    assertThat(SmallReplies.line(result(NODES.arrayNode().add(1), IntNode.valueOf(1)))).isNull();
    assertThat(SmallReplies.line(result(NullNode.instance, DoubleNode.valueOf(1.5)))).isNull();
    assertThat(SmallReplies.line(result(NODES.numberNode(BigInteger.TEN.pow(30)), IntNode.valueOf(1)))).isNull();
    assertThat(SmallReplies.line(result(TextNode.valueOf("h\u00e9"), IntNode.valueOf(1)))).isNull();
    assertThat(SmallReplies.line(result(TextNode.valueOf("\ud83d"), IntNode.valueOf(1)))).isNull();
    ObjectNode deep = NODES.objectNode();
    deep.putObject("a").putObject("b").put("c", 1);
    assertThat(SmallReplies.line(result(deep, IntNode.valueOf(1)))).isNull();
    assertThat(SmallReplies.line(NODES.arrayNode().add(result(NullNode.instance, IntNode.valueOf(1))))).isNull();
    // Jackson still writes them
    assertThat(Dispatcher.encode(result(TextNode.valueOf("h\u00e9"), IntNode.valueOf(1))))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":\"h\u00e9\",\"id\":1}\n".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void randomFlatTreesAreJacksonsBytes() {
    Random random = new Random(13);
    for (int round = 0; round < 2000; round++) {
      ObjectNode data = NODES.objectNode();
      int fields = random.nextInt(5);
      for (int f = 0; f < fields; f++) {
        String key = randomAscii(random, 6);
        switch (random.nextInt(5)) {
          case 0 -> data.putNull(key);
          case 1 -> data.put(key, randomAscii(random, 20));
          case 2 -> data.put(key, random.nextBoolean());
          case 3 -> data.put(key, random.nextLong());
          default -> data.put(key, random.nextInt());
        }
      }
      sameAsJackson(result(data, TextNode.valueOf(randomAscii(random, 8))));
    }
  }

  private static String randomAscii(Random random, int max) {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(max + 1);
    for (int i = 0; i < n; i++) s.append((char) random.nextInt(0x80));
    return s.toString();
  }
}
