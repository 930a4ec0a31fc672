package io.wharfmq.remoting.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.wharfmq.remoting.protocol.RemotingCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Jackson-free header path against Jackson, which defines the format: whatever the plain reader
 * accepts, Jackson reads the same; whatever the plain writer writes, Jackson writes the same bytes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlainJsonHeaderTest {
  /** What the RocketMQ 5.3 client sends for SEND_MESSAGE_V2 (fastjson escapes \u0001/\u0002). */
  static final String SEND_V2 =
      "{\"code\":310,\"extFields\":{\"a\":\"bench-pg\",\"b\":\"BenchE2E\",\"c\":\"TBW102\","
          + "\"d\":\"4\",\"e\":\"3\",\"f\":\"0\",\"g\":\"1763712000000\",\"h\":\"0\","
          + "\"i\":\"TAGS\\u0001T\\u0002UNIQ_KEY\\u0001AC11000100012A9F1B6E4B2C5B1E0000"
          + "\\u0002WAIT\\u0001true\\u0002\",\"j\":\"0\",\"k\":\"false\",\"l\":\"0\","
          + "\"m\":\"false\",\"n\":\"broker-a\"},\"flag\":0,\"language\":\"JAVA\",\"opaque\":17,"
          + "\"serializeTypeCurrentRPC\":\"JSON\",\"version\":475}";

  @Test
  void readsTheClientsSendHeaderWithoutJackson() throws Exception {
    RemotingCommand plain = PlainJsonHeader.read(ascii(SEND_V2));
    assertThat(plain).isNotNull();
    assertSame(plain, RemotingCommandCodec.decodeJsonWithJackson(ascii(SEND_V2)));
    assertThat(plain.get("i")).startsWith("TAGS\u0001T\u0002UNIQ_KEY\u0001");
    assertThat(plain.get("n")).isEqualTo("broker-a");
    assertThat(plain.code()).isEqualTo(310);
    assertThat(plain.opaque()).isEqualTo(17);
  }

  @Test
  void knownNamesAreSharedAndOthersStillRead() throws Exception {
    String json =
        "{\"code\":11,\"extFields\":{\"consumerGroup\":\"g\",\"queueOffset\":\"7\","
            + "\"consumerGroupX\":\"x\",\"consumerGrou\":\"y\",\"topic\\u0041\":\"z\"},"
            + "\"opaque\":3}";
    RemotingCommand plain = PlainJsonHeader.read(ascii(json));
    assertThat(plain).isNotNull();
    assertSame(plain, RemotingCommandCodec.decodeJsonWithJackson(ascii(json)));
    List<String> keys = new ArrayList<>(plain.extFields().keySet());
    assertThat(keys)
        .containsExactly(
            "consumerGroup", "queueOffset", "consumerGroupX", "consumerGrou", "topicA");
    // Known names come back as the one shared instance; near misses and escapes are read as usual.
    assertThat(keys.get(0)).isSameAs("consumerGroup".intern());
    assertThat(keys.get(1)).isSameAs("queueOffset".intern());
    assertThat(keys.get(2)).isNotSameAs("consumerGroupX".intern());

    PlainJsonHeader.KnownNames names =
        new PlainJsonHeader.KnownNames(List.of("a", "ab", "ba", "topic"));
    byte[] text = "xxtopicab".getBytes(StandardCharsets.US_ASCII);
    assertThat(names.find(text, 2, 5)).isSameAs("topic".intern());
    assertThat(names.find(text, 7, 2)).isEqualTo("ab");
    assertThat(names.find(text, 7, 1)).isEqualTo("a");
    assertThat(names.find(text, 8, 1)).isNull();
    assertThat(names.find(text, 2, 4)).isNull();
  }

  @Test
  void acceptedShapesReadAsJacksonReadsThem() throws Exception {
    List<String> accepted =
        List.of(
            "{}",
            " \t\r\n{ \"opaque\" : -2147483648 , \"code\":0 }  trailing bytes are ignored",
            "{\"extFields\":{\"n\":12,\"neg\":-0,\"t\":true,\"f\":false,\"gone\":null}}",
            "{\"extFields\":{\"k\":\"1\",\"k\":\"2\"},\"extFields\":{\"x\":\"y\"},\"code\":1}",
            "{\"remark\":null,\"language\":null,\"other\":\"x\",\"more\":3,\"b\":true}",
            "{\"extFields\":{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u0001\"}}",
            "{\"extFields\":null,\"remark\":\"\u007f\"}");
    for (String json : accepted) {
      RemotingCommand plain = PlainJsonHeader.read(ascii(json));
      assertThat(plain).as(json).isNotNull();
      assertSame(plain, RemotingCommandCodec.decodeJsonWithJackson(ascii(json)));
    }
  }

  @Test
  void unusualShapesAreLeftToJackson() {
    List<String> declined =
        List.of(
            "",
            "[]",
            "{\"code\":1.5}",
            "{\"code\":2147483648}",
            "{\"code\":\"12\"}",
            "{\"code\":012}",
            "{\"code\":null}",
            "{\"code\":1,}",
            "{\"code\":1x}",
            "{\"extFields\":{\"k\":{\"nested\":1}}}",
            "{\"extFields\":{\"k\":[1]}}",
            "{\"other\":{}}",
            "{\"remark\":\"raw\ncontrol\"}",
            "{\"remark\":\"bad \\x escape\"}",
            "{\"remark\":\"short \\u12\"}",
            "{\"extFields\":{\"k\":1e3}}",
            "{\"remark\":\"caf\u00e9\"}",
            "{\"remark\":\"\\uD83D\\ude00 above Latin-1\"}",
            "{\"code\":1");
    for (String json : declined) {
      assertThat(
              PlainJsonHeader.read(Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8))))
          .as(json)
          .isNull();
    }
  }

  private static final String MUTATIONS = "{}[]\",:\\ 0-9etnulfr";

  @Test
  void mutatedHeadersThatThePlainReaderAcceptsReadTheSameWithJackson() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    byte[] base = SEND_V2.getBytes(StandardCharsets.US_ASCII);
    int accepted = 0;
    for (int i = 0; i < 50_000; i++) {
      byte[] h = i % 2 == 0 ? base.clone() : encode(randomCommand(rnd));
      for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
        int at = rnd.nextInt(h.length);
        h[at] =
            (byte)
                switch (rnd.nextInt(3)) {
                  case 0 -> rnd.nextInt(256);
                  case 1 -> MUTATIONS.charAt(rnd.nextInt(MUTATIONS.length()));
                  default -> h[at] ^ (1 << rnd.nextInt(8));
                };
      }
      RemotingCommand plain = PlainJsonHeader.read(Unpooled.wrappedBuffer(h));
      if (plain == null) {
        continue;
      }
      accepted++;
      try {
        assertSame(plain, RemotingCommandCodec.decodeJsonWithJackson(Unpooled.wrappedBuffer(h)));
      } catch (MalformedFrameException | AssertionError e) {
        throw new AssertionError(
            "seed "
                + seed
                + ": plain reader accepted what Jackson reads otherwise: "
                + new String(h, StandardCharsets.ISO_8859_1),
            e);
      }
    }
    assertThat(accepted).as("seed %d", seed).isGreaterThan(5_000);
  }

  @Test
  void writesJacksonsBytesOrDeclines() {
    Random rnd = new Random(11);
    int written = 0;
    for (int i = 0; i < 5_000; i++) {
      RemotingCommand c = randomCommand(rnd);
      ByteBuf plain = Unpooled.buffer();
      plain.writeByte('x');
      boolean ok = PlainJsonHeader.write(c, plain);
      ByteBuf jackson = Unpooled.buffer();
      RemotingCommandCodec.writeJson(c, jackson);
      if (ok) {
        written++;
        assertThat(ByteBufUtil.getBytes(plain, 1, plain.readableBytes() - 1))
            .as(c.toString())
            .isEqualTo(ByteBufUtil.getBytes(jackson));
      } else {
        assertThat(plain.readableBytes()).isEqualTo(1);
        assertThat(jackson.toString(StandardCharsets.UTF_8)).containsPattern("[^\\x00-\\x7f]");
      }
    }
    assertThat(written).isGreaterThan(2_000);
  }

  private static final String ALPHABET =
      "abcXYZ019 _-%|.\"\\/\u0001\u0002\n\t\r\b\f\u007f\u001f\u00e9\u4e2d";

  static RemotingCommand randomCommand(Random rnd) {
    RemotingCommand c = RemotingCommand.request(rnd.nextInt(400) - 10);
    c.opaque(rnd.nextInt()).flag(rnd.nextInt(4)).version(rnd.nextInt(1000));
    if (rnd.nextInt(4) == 0) {
      c.language(rnd.nextBoolean() ? null : randomString(rnd, false));
    }
    if (rnd.nextBoolean()) {
      int n = rnd.nextInt(15);
      for (int k = 0; k < n; k++) {
        c.put(randomString(rnd, true), randomString(rnd, rnd.nextInt(4) == 0));
      }
    }
    if (rnd.nextInt(3) == 0) {
      c.remark(randomString(rnd, rnd.nextBoolean()));
    }
    return c;
  }

  private static String randomString(Random rnd, boolean plainOnly) {
    int n = rnd.nextInt(12);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int limit = plainOnly ? 15 : ALPHABET.length();
      char ch = ALPHABET.charAt(rnd.nextInt(limit));
      sb.append(rnd.nextInt(20) == 0 && !plainOnly ? ALPHABET.charAt(ALPHABET.length() - 1) : ch);
    }
    return sb.toString();
  }

  private static byte[] encode(RemotingCommand c) {
    ByteBuf out = Unpooled.buffer();
    RemotingCommandCodec.writeJson(c, out);
    return ByteBufUtil.getBytes(out);
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertSame(RemotingCommand plain, RemotingCommand jackson) {
    assertThat(plain.code()).isEqualTo(jackson.code());
    assertThat(plain.flag()).isEqualTo(jackson.flag());
    assertThat(plain.opaque()).isEqualTo(jackson.opaque());
    assertThat(plain.version()).isEqualTo(jackson.version());
    assertThat(plain.language()).isEqualTo(jackson.language());
    assertThat(plain.remark()).isEqualTo(jackson.remark());
    assertThat(plain.hasExtFields()).isEqualTo(jackson.hasExtFields());
    if (plain.hasExtFields()) {
      assertThat(new ArrayList<>(plain.extFields().entrySet()))
          .isEqualTo(new ArrayList<>(jackson.extFields().entrySet()));
    }
  }
}
