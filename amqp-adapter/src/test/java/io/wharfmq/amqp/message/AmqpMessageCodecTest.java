package io.wharfmq.amqp.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.message.ReservedProperties;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Decimal128;
import org.apache.qpid.proton.amqp.Decimal32;
import org.apache.qpid.proton.amqp.Decimal64;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.UnsignedShort;
import org.apache.qpid.proton.amqp.messaging.AmqpSequence;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.DeliveryAnnotations;
import org.apache.qpid.proton.amqp.messaging.Footer;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Section;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.codec.WritableBuffer;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AmqpMessageCodecTest {
  private static final long NOW = 1_780_000_000_000L;

  // ---- proton-j helpers: messages as section lists (the Message API holds one body section) ----

  private static final DecoderImpl DECODER = new DecoderImpl();
  private static final EncoderImpl ENCODER = new EncoderImpl(DECODER);

  static {
    AMQPDefinedTypes.registerAllTypes(DECODER, ENCODER);
  }

  static byte[] encode(List<Section> sections) {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    ENCODER.setByteBuffer(WritableBuffer.ByteBufferWrapper.wrap(buf));
    for (Section s : sections) {
      ENCODER.writeObject(s);
    }
    return Arrays.copyOf(buf.array(), buf.position());
  }

  /** The sections of an encoded message, each with its bytes. */
  record Encoded(Section section, byte[] bytes) {}

  static List<Encoded> sections(byte[] message) {
    ByteBuffer buf = ByteBuffer.wrap(message);
    DECODER.setByteBuffer(buf);
    List<Encoded> out = new ArrayList<>();
    while (buf.hasRemaining()) {
      int start = buf.position();
      Section s = (Section) DECODER.readObject();
      out.add(new Encoded(s, Arrays.copyOfRange(message, start, buf.position())));
    }
    return out;
  }

  /** The bare message's bytes: properties, application properties and the body sections. */
  static byte[] bare(byte[] message) {
    ByteBuffer out = ByteBuffer.allocate(message.length);
    for (Encoded e : sections(message)) {
      if (e.section() instanceof Properties
          || e.section() instanceof ApplicationProperties
          || e.section() instanceof Data
          || e.section() instanceof AmqpSequence
          || e.section() instanceof AmqpValue) {
        out.put(e.bytes());
      }
    }
    return Arrays.copyOf(out.array(), out.position());
  }

  static <T extends Section> T section(byte[] message, Class<T> type) {
    return sections(message).stream()
        .map(Encoded::section)
        .filter(type::isInstance)
        .map(type::cast)
        .findFirst()
        .orElse(null);
  }

  static byte[] sectionBytes(byte[] message, Class<? extends Section> type) {
    return sections(message).stream()
        .filter(e -> type.isInstance(e.section()))
        .map(Encoded::bytes)
        .findFirst()
        .orElse(null);
  }

  static InboundMessage decode(byte[] bytes) {
    return AmqpMessageCodec.decode(bytes, 0, bytes.length, NOW);
  }

  static byte[] roundTrip(byte[] bytes, int reconsumeTimes) {
    return AmqpMessageCodec.encode(StoredRecord.of(decode(bytes).message(), reconsumeTimes));
  }

  static Map<String, String> stored(byte[] bytes) {
    return PropertiesText.decode(decode(bytes).message().properties());
  }

  // ---- a message with every section and field ----

  static Properties fullProperties() {
    Properties p = new Properties();
    p.setMessageId("ID:producer-1:1:1:1");
    p.setUserId(new Binary("alice".getBytes(StandardCharsets.UTF_8)));
    p.setTo("orders");
    p.setSubject("OrderCreated");
    p.setReplyTo("replies");
    p.setCorrelationId(UnsignedLong.valueOf("18446744073709551615"));
    p.setContentType(Symbol.valueOf("application/json"));
    p.setContentEncoding(Symbol.valueOf("gzip"));
    p.setAbsoluteExpiryTime(new Date(NOW + 60_000));
    p.setCreationTime(new Date(NOW - 5));
    p.setGroupId("group-a");
    p.setGroupSequence(UnsignedInteger.valueOf(4_000_000_000L));
    p.setReplyToGroupId("group-b");
    return p;
  }

  static ApplicationProperties everyPropertyType() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("str", "red");
    m.put("digits", "10"); // a string that reads as a number stays a string
    m.put("empty", "");
    m.put("e", ""); // a short name with an empty value: RocketMQ's text would drop it
    m.put("nothing", null);
    m.put("flag", true);
    m.put("b", (byte) -7);
    m.put("sh", (short) 300);
    m.put("count", 10);
    m.put("big", Long.MIN_VALUE);
    m.put("f", 1.1f);
    m.put("nan", Float.NaN);
    m.put("d", -2.5e-300);
    m.put("ch", 'x');
    m.put("ub", UnsignedByte.valueOf((byte) 200));
    m.put("us", UnsignedShort.valueOf((short) 60000));
    m.put("ui", UnsignedInteger.valueOf(4_000_000_000L));
    m.put("ul", UnsignedLong.valueOf("18446744073709551615"));
    m.put("ts", new Date(NOW));
    m.put("id", UUID.fromString("8c5e1f4e-9c1d-4a57-9a3e-3f1c2b0d5e6f"));
    m.put("bin", new Binary(new byte[] {0, 1, 2, (byte) 0xFF}));
    m.put("sym", Symbol.valueOf("a-symbol"));
    m.put("d32", new Decimal32(0x2238_0001));
    m.put("d64", new Decimal64(0x2234_0000_0000_0007L));
    m.put("d128", new Decimal128(0x2208_0000_0000_0000L, 42L));
    m.put("TAGS", "not the RocketMQ tag"); // a RocketMQ name
    m.put("WHARF_TTL", "not ours"); // one of Wharf's names
    return new ApplicationProperties(m);
  }

  static MessageAnnotations jmsAnnotations() {
    Map<Symbol, Object> m = new LinkedHashMap<>();
    m.put(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 2);
    m.put(Symbol.valueOf("x-opt-jms-dest"), (byte) 0);
    m.put(Symbol.valueOf("x-opt-jms-reply-to"), (byte) 1);
    m.put(Symbol.valueOf("x-opt-app"), List.of("nested", 1, Map.of("k", "v")));
    return new MessageAnnotations(m);
  }

  static Header header() {
    Header h = new Header();
    h.setDurable(true);
    h.setPriority(UnsignedByte.valueOf((byte) 7));
    h.setTtl(UnsignedInteger.valueOf(30_000));
    return h;
  }

  static Stream<Arguments> bodies() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", "wharf");
    map.put("n", 3);
    map.put("bytes", new Binary(new byte[] {1, 2}));
    byte[] big = new byte[70_000];
    Arrays.fill(big, (byte) 'z');
    return Stream.of(
        Arguments.of("data", List.of(new Data(new Binary("hello".getBytes())))),
        Arguments.of("data over 255 bytes", List.of(new Data(new Binary(big)))),
        Arguments.of("empty data", List.of(new Data(new Binary(new byte[0])))),
        Arguments.of(
            "several data sections",
            List.of(new Data(new Binary(new byte[] {1})), new Data(new Binary(new byte[] {2})))),
        Arguments.of("amqp-value string", List.of(new AmqpValue("héllo wörld"))),
        Arguments.of("amqp-value long string", List.of(new AmqpValue(new String(big)))),
        Arguments.of("amqp-value binary", List.of(new AmqpValue(new Binary(new byte[] {9, 8})))),
        Arguments.of("amqp-value null", List.of(new AmqpValue(null))),
        Arguments.of("amqp-value int", List.of(new AmqpValue(42))),
        Arguments.of("amqp-value long", List.of(new AmqpValue(1L << 40))),
        Arguments.of("amqp-value double", List.of(new AmqpValue(3.25))),
        Arguments.of("amqp-value boolean", List.of(new AmqpValue(true))),
        Arguments.of("amqp-value uuid", List.of(new AmqpValue(UUID.randomUUID()))),
        Arguments.of("amqp-value symbol", List.of(new AmqpValue(Symbol.valueOf("s")))),
        Arguments.of("amqp-value timestamp", List.of(new AmqpValue(new Date(NOW)))),
        Arguments.of("amqp-value map", List.of(new AmqpValue(map))),
        Arguments.of("amqp-value list", List.of(new AmqpValue(List.of("a", 1, 2.0)))),
        Arguments.of("amqp-value array", List.of(new AmqpValue(new String[] {"x", "y"}))),
        Arguments.of("amqp-sequence", List.of(new AmqpSequence(List.of("a", 1L)))),
        Arguments.of(
            "several amqp-sequence sections",
            List.of(new AmqpSequence(List.of(1)), new AmqpSequence(List.of("two")))),
        Arguments.of("no body", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodies")
  void amqpToAmqpKeepsTheBareMessageExactly(String name, List<Section> body) {
    List<Section> sections = new ArrayList<>();
    sections.add(header());
    sections.add(
        new DeliveryAnnotations(Map.of(Symbol.valueOf("x-opt-hop"), "dropped at the broker")));
    sections.add(jmsAnnotations());
    sections.add(fullProperties());
    sections.add(everyPropertyType());
    sections.addAll(body);
    sections.add(new Footer(Map.of(Symbol.valueOf("x-opt-sig"), new Binary(new byte[] {5}))));
    byte[] sent = encode(sections);

    byte[] received = roundTrip(sent, 0);

    assertThat(bare(sent)).isNotEmpty();
    assertThat(bare(received)).as("bare message bytes").isEqualTo(bare(sent));
    // annotations and footer as sent, byte for byte
    assertThat(sectionBytes(received, MessageAnnotations.class))
        .isEqualTo(sectionBytes(sent, MessageAnnotations.class));
    assertThat(sectionBytes(received, Footer.class)).isEqualTo(sectionBytes(sent, Footer.class));
    assertThat(section(received, DeliveryAnnotations.class)).isNull();
    Header h = section(received, Header.class);
    assertThat(h.getDurable()).isTrue();
    assertThat(h.getPriority()).isEqualTo(UnsignedByte.valueOf((byte) 7));
    assertThat(h.getTtl()).isEqualTo(UnsignedInteger.valueOf(30_000));
    assertThat(h.getFirstAcquirer()).isTrue();
    assertThat(h.getDeliveryCount()).isNull();
    // the whole message still reads with the Message API where it holds one body section
    if (body.size() == 1) {
      Message m = Message.Factory.create();
      m.decode(received, 0, received.length);
      assertThat(m.getSubject()).isEqualTo("OrderCreated");
    }
  }

  @Test
  void sectionsThatWereAbsentStayAbsent() {
    byte[] sent = encode(List.of(new AmqpValue("just a body")));

    byte[] received = roundTrip(sent, 0);

    assertThat(bare(received)).isEqualTo(bare(sent));
    assertThat(section(received, Properties.class)).isNull();
    assertThat(section(received, ApplicationProperties.class)).isNull();
    assertThat(section(received, MessageAnnotations.class)).isNull();
    assertThat(section(received, Header.class).getDurable()).isNull();
    // empty sections stay as empty sections
    byte[] empties =
        encode(
            List.of(
                new MessageAnnotations(new LinkedHashMap<>()),
                new Properties(),
                new ApplicationProperties(new LinkedHashMap<>()),
                new Data(new Binary(new byte[] {1}))));
    byte[] back = roundTrip(empties, 0);
    assertThat(bare(back)).isEqualTo(bare(empties));
    assertThat(section(back, MessageAnnotations.class).getValue()).isEmpty();
  }

  @Test
  void typedIdsRoundTrip() {
    for (Object id :
        List.of(
            "plain",
            UnsignedLong.valueOf(5),
            UUID.randomUUID(),
            new Binary(new byte[] {(byte) 0xCA, (byte) 0xFE}))) {
      Properties p = new Properties();
      p.setMessageId(id);
      p.setCorrelationId(id);
      byte[] sent = encode(List.of(p, new AmqpValue("x")));
      assertThat(bare(roundTrip(sent, 0))).as("id %s", id).isEqualTo(bare(sent));
    }
  }

  @Test
  void redeliveryCountsInTheHeader() {
    byte[] sent = encode(List.of(new Data(new Binary(new byte[] {1}))));

    Header h = section(roundTrip(sent, 3), Header.class);

    assertThat(h.getDeliveryCount()).isEqualTo(UnsignedInteger.valueOf(3));
    assertThat(h.getFirstAcquirer()).isFalse();
  }

  @Test
  void whatARocketMqConsumerSeesOfAnAmqpMessage() {
    Properties p = new Properties();
    p.setSubject("OrderCreated");
    p.setCreationTime(new Date(NOW - 5));
    Map<Symbol, Object> ma = new LinkedHashMap<>();
    ma.put(AmqpMessageCodec.TAGS_ANNOTATION, "TagA");
    ma.put(AmqpMessageCodec.KEYS_ANNOTATION, "k1 k2");
    ma.put(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 5);
    byte[] sent =
        encode(
            List.of(
                new MessageAnnotations(ma),
                p,
                new ApplicationProperties(Map.of("count", 10, "color", "red")),
                new AmqpValue("héllo")));

    InboundMessage in = decode(sent);
    Map<String, String> props = PropertiesText.decode(in.message().properties());

    assertThat(in.message().body()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
    assertThat(in.message().bornTimestamp()).isEqualTo(NOW - 5);
    assertThat(props)
        .containsEntry("TAGS", "TagA")
        .containsEntry("KEYS", "k1 k2")
        .containsEntry("count", "10")
        .containsEntry("color", "red")
        .containsEntry(ReservedProperties.SUBJECT, "OrderCreated")
        .containsEntry(ReservedProperties.JMS_MSG_TYPE, "5")
        .containsEntry(ReservedProperties.BODY, ReservedProperties.BODY_STRING);
    // the tag and keys come back as the same annotations
    MessageAnnotations back = section(roundTrip(sent, 0), MessageAnnotations.class);
    assertThat(back.getValue()).isEqualTo(ma);
  }

  @Test
  void dataBodyIsTheRecordBody() {
    byte[] payload = {1, 2, 3, 4};
    InboundMessage in = decode(encode(List.of(new Data(new Binary(payload)))));

    assertThat(in.message().body()).isEqualTo(payload);
    assertThat(in.to()).isNull();
    assertThat(in.destinationType()).isEqualTo(-1);
    assertThat(in.deliverAtMillis()).isEqualTo(-1);
    assertThat(in.settledHint()).isTrue();
  }

  @Test
  void expiryFromTheHeaderTtlOrTheAbsoluteTime() {
    byte[] ttlOnly = encode(List.of(header(), new AmqpValue("x")));
    assertThat(stored(ttlOnly)).containsEntry(ReservedProperties.EXPIRES_AT, "" + (NOW + 30_000));

    Properties p = new Properties();
    p.setAbsoluteExpiryTime(new Date(NOW + 1000));
    byte[] both = encode(List.of(header(), p, new AmqpValue("x")));
    assertThat(stored(both)).containsEntry(ReservedProperties.EXPIRES_AT, "" + (NOW + 1000));

    assertThat(stored(encode(List.of(new AmqpValue("x")))))
        .doesNotContainKey(ReservedProperties.EXPIRES_AT);
  }

  @Test
  void deliveryTimeGoesToTheTimerProperty() {
    Map<Symbol, Object> at = Map.of(Symbol.valueOf("x-opt-delivery-time"), NOW + 5000);
    InboundMessage a = decode(encode(List.of(new MessageAnnotations(at), new AmqpValue("x"))));
    assertThat(a.deliverAtMillis()).isEqualTo(NOW + 5000);
    assertThat(PropertiesText.decode(a.message().properties()))
        .containsEntry("TIMER_DELIVER_MS", "" + (NOW + 5000));

    Map<Symbol, Object> delay = Map.of(Symbol.valueOf("x-opt-delivery-delay"), 2000L);
    InboundMessage d = decode(encode(List.of(new MessageAnnotations(delay), new AmqpValue("x"))));
    assertThat(d.deliverAtMillis()).isEqualTo(NOW + 2000);
    assertThat(PropertiesText.decode(d.message().properties()))
        .containsEntry(ReservedProperties.DELIVER_AT, "" + (NOW + 2000));

    Map<Symbol, Object> jmsDest = new LinkedHashMap<>();
    jmsDest.put(Symbol.valueOf("x-opt-jms-dest"), (byte) 1);
    Properties to = new Properties();
    to.setTo("prices");
    Header durable = new Header();
    durable.setDurable(true);
    InboundMessage t =
        decode(encode(List.of(durable, new MessageAnnotations(jmsDest), to, new AmqpValue("x"))));
    assertThat(t.destinationType()).isEqualTo(1);
    assertThat(t.to()).isEqualTo("prices");
    assertThat(t.settledHint()).isFalse();
  }

  @Test
  void aRocketMqRecordReachesAmqpAsDataWithStringProperties() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("TAGS", "TagA");
    props.put("KEYS", "order-1 order-2");
    props.put("UNIQ_KEY", "7F0000010BB818B4AAC2512B3A6B0000");
    props.put("WAIT", "true");
    props.put("region", "eu");
    props.put("amount", "12");
    byte[] body = "payload".getBytes(StandardCharsets.UTF_8);

    byte[] out =
        AmqpMessageCodec.encode(StoredRecord.rocketMq(body, props, NOW - 100).withRedelivery(2));

    Message m = Message.Factory.create();
    m.decode(out, 0, out.length);
    assertThat(m.getBody()).isInstanceOf(Data.class);
    assertThat(((Data) m.getBody()).getValue()).isEqualTo(new Binary(body));
    assertThat(m.getApplicationProperties().getValue())
        .containsExactly(Map.entry("region", "eu"), Map.entry("amount", "12"));
    assertThat(m.getMessageAnnotations().getValue())
        .containsEntry(AmqpMessageCodec.TAGS_ANNOTATION, "TagA")
        .containsEntry(AmqpMessageCodec.KEYS_ANNOTATION, "order-1 order-2");
    assertThat(m.getMessageId()).isEqualTo("7F0000010BB818B4AAC2512B3A6B0000");
    assertThat(m.getCreationTime()).isEqualTo(NOW - 100);
    assertThat(m.isDurable()).isTrue();
    assertThat(m.getDeliveryCount()).isEqualTo(2);
    assertThat(m.isFirstAcquirer()).isFalse();
  }

  @Test
  void whatDoesNotDecodeIsRefusedWithTheReason() {
    byte[] good = encode(List.of(new Properties(), new AmqpValue("x")));
    assertThatThrownBy(() -> decode(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("described");
    assertThatThrownBy(() -> decode(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] outOfOrder = encode(List.of(new AmqpValue("x"), new Properties()));
    assertThatThrownBy(() -> decode(outOfOrder))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of order");
    byte[] twoValues = encode(List.of(new AmqpValue("x"), new AmqpValue("y")));
    assertThatThrownBy(() -> decode(twoValues)).isInstanceOf(IllegalArgumentException.class);
    byte[] mixed = encode(List.of(new Data(new Binary(new byte[] {1})), new AmqpValue("y")));
    assertThatThrownBy(() -> decode(mixed)).isInstanceOf(IllegalArgumentException.class);
    byte[] separator =
        encode(
            List.of(
                new ApplicationProperties(Map.of("k", "a\u0001b")),
                new Data(new Binary(new byte[0]))));
    assertThatThrownBy(() -> decode(separator))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("separator");
    byte[] listProperty =
        encode(
            List.of(
                new ApplicationProperties(Map.of("k", List.of(1))),
                new Data(new Binary(new byte[0]))));
    assertThatThrownBy(() -> decode(listProperty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("application property");
    // an offset and length into a larger buffer
    byte[] framed = new byte[good.length + 10];
    System.arraycopy(good, 0, framed, 5, good.length);
    assertThat(AmqpMessageCodec.decode(framed, 5, good.length, NOW).message().body())
        .isEqualTo(new byte[] {'x'});
  }

  @Test
  void largeHeadersRoundTripAndTooLargeOnesAreRefused() {
    String big = "v".repeat(20_000); // more than the encoder's first scratch buffer
    byte[] sent =
        encode(
            List.of(
                new ApplicationProperties(Map.of("big", big)),
                new Data(new Binary(new byte[] {1}))));
    assertThat(bare(roundTrip(sent, 0))).isEqualTo(bare(sent));

    byte[] tooBig =
        encode(
            List.of(
                new ApplicationProperties(Map.of("big", big, "bigger", big)),
                new Data(new Binary(new byte[] {1}))));
    assertThatThrownBy(() -> decode(tooBig))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32767");
  }

  @Test
  void annotationsWithALongFormDescriptorAreKept() {
    Map<Symbol, Object> ma = Map.of(Symbol.valueOf("x-opt-a"), "b");
    byte[] small = encode(List.of(new MessageAnnotations(ma), new AmqpValue("x")));
    // 00 53 72 (small ulong) becomes 00 a3 len "amqp:message-annotations:map" (symbol)
    byte[] symbol = "amqp:message-annotations:map".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(small.length + symbol.length);
    b.put(new byte[] {0, (byte) 0xA3, (byte) symbol.length}).put(symbol);
    b.put(small, 3, small.length - 3);

    byte[] back = roundTrip(b.array(), 0);

    assertThat(section(back, MessageAnnotations.class).getValue()).isEqualTo(ma);
    assertThat(bare(back)).isEqualTo(bare(small));
  }

  @Test
  void aRecordSomeOtherClientDamagedStillGoesOutAsAnAmqpMessage() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put(ReservedProperties.SECTIONS, "MPA");
    props.put(ReservedProperties.TYPES, "I9:broken");
    props.put(ReservedProperties.MESSAGE_ANNOTATIONS, "not base64!");
    props.put(ReservedProperties.FOOTER, "AAAA");
    props.put(ReservedProperties.BODY, "?");
    props.put(ReservedProperties.MESSAGE_ID, "x");
    props.put(ReservedProperties.MESSAGE_ID_TYPE, "l");
    props.put("count", "ten");

    byte[] out = AmqpMessageCodec.encode(StoredRecord.rocketMq(new byte[] {7}, props, NOW));

    Message m = Message.Factory.create();
    m.decode(out, 0, out.length);
    assertThat(((Data) m.getBody()).getValue()).isEqualTo(new Binary(new byte[] {7}));
    assertThat(m.getMessageId()).isEqualTo("x");
    assertThat(m.getApplicationProperties().getValue()).containsEntry("count", "ten");
  }

  @Test
  void headerAndPropertyValuesOutsideTheirAmqpTypesAreLeftOut() {
    for (String ttl : List.of("-1", "4294967296")) {
      Map<String, String> props = new LinkedHashMap<>();
      props.put(ReservedProperties.SECTIONS, "HP");
      props.put(ReservedProperties.TTL, ttl);
      props.put(ReservedProperties.PRIORITY, "300");
      props.put(ReservedProperties.GROUP_SEQUENCE, "-5");
      props.put(ReservedProperties.USER_ID, "not base64 !");
      props.put(ReservedProperties.SUBJECT, "kept");

      byte[] out = AmqpMessageCodec.encode(StoredRecord.rocketMq(new byte[] {7}, props, NOW));

      Message m = Message.Factory.create();
      m.decode(out, 0, out.length);
      assertThat(m.getHeader().getTtl()).as("ttl %s", ttl).isNull();
      assertThat(m.getHeader().getPriority()).isNull();
      assertThat(m.getProperties().getGroupSequence()).isNull();
      assertThat(m.getProperties().getUserId()).isNull();
      assertThat(m.getSubject()).isEqualTo("kept");
    }
  }

  @Test
  void randomAndMutatedBytesNeverEscapeAsAnotherException() {
    byte[] good =
        encode(
            List.of(
                header(),
                jmsAnnotations(),
                fullProperties(),
                everyPropertyType(),
                new AmqpValue("x")));
    java.util.Random random = new java.util.Random(12);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = good.clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      int len = random.nextInt(10) == 0 ? random.nextInt(b.length) : b.length;
      try {
        AmqpMessageCodec.decode(b, 0, len, NOW);
      } catch (IllegalArgumentException expected) {
        // refused with a reason: fine
      }
    }
  }
}
