package io.wharfmq.store.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dispatched record read through one of its target queues ({@link DispatchView}) is spliced from
 * the stored bytes: body and body CRC as stored, every other property byte for byte in its place.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DispatchViewTest {
  private static final char NV = MessageProperties.NAME_VALUE_SEPARATOR;
  private static final char SEP = MessageProperties.PROPERTY_SEPARATOR;
  private static final long PHYSICAL = 4096;
  private static final long STORE_TIME = 1_700_000_000_123L;

  /** A fan-out as the appender leaves it: digits 7, 8, ..., own QUEUEOFFSET -1. */
  private static byte[] stored(String topic, byte[] body, String properties) {
    InetSocketAddress v6 = new InetSocketAddress("::1", 5678);
    InetSocketAddress v4 = new InetSocketAddress("10.1.2.3", 1234);
    MessageToStore m = new MessageToStore(topic, 2, 77, body, properties, 0, 1234L, v6, v4, 3, 0);
    MessageEncoder.EncodedRecord r = MessageEncoder.encode(m, 1 << 20);
    for (int i = 0; i < r.dispatch().length; i++) {
      DispatchTargets.writeOffset(r.bytes(), r.dispatch()[i].digitsAt(), 7 + i);
    }
    MessageEncoder.patchAssignedFields(
        ByteBuffer.wrap(r.bytes()),
        0,
        r.storeTimestampOffset(),
        MessageRecordLayout.DISPATCHED_QUEUE_OFFSET,
        PHYSICAL,
        STORE_TIME);
    return r.bytes();
  }

  private static String targets(String... topics) {
    return DispatchTargets.encode(
        Arrays.stream(topics).map(t -> new DispatchTargets.Queue(t, 0)).toList());
  }

  @Test
  void theBodyItsCrcAndTheOtherPropertiesAreCopiedAsStored() {
    byte[] body = {9, 8, 7, 6, 5};
    // A short piece, a duplicate name, non-ASCII text: a decode and encode would change all three.
    String properties =
        "TAGS"
            + NV
            + "rk"
            + SEP
            + "x"
            + SEP
            + "KEYS"
            + NV
            + "k1"
            + SEP
            + MessageProperties.DISPATCH
            + NV
            + targets("q-a", "q-b")
            + SEP
            + "note"
            + NV
            + "grüße €"
            + SEP
            + "KEYS"
            + NV
            + "k2"
            + SEP;
    byte[] record = stored("ex", body, properties);
    // A stored CRC that is not the body's: a copy that computed the CRC again would differ.
    int storedCrc = MessageEncoder.bodyCrc(body) ^ 0x55;
    ByteBuffer.wrap(record).putInt(MessageRecordLayout.BODY_CRC, storedCrc);

    byte[] view = DispatchView.asQueueRecord(ByteBuffer.wrap(record), "q-b", 5, 8);

    ByteBuffer buf = ByteBuffer.wrap(view);
    assertThat(RecordValidator.check(buf, 0, view.length, PHYSICAL, false).kind())
        .isEqualTo(RecordValidator.Kind.RECORD);
    StoredMessage m = StoredMessage.decode(buf, 0);
    StoredMessage original = StoredMessage.decode(ByteBuffer.wrap(record), 0);
    assertThat(m.totalSize()).isEqualTo(view.length);
    assertThat(m.topic()).isEqualTo("q-b");
    assertThat(m.queueId()).isEqualTo(5);
    assertThat(m.queueOffset()).isEqualTo(8);
    assertThat(m.bodyCrc()).as("stored CRC, not recomputed").isEqualTo(storedCrc);
    assertThat(m.body()).isEqualTo(body);
    assertThat(m.properties())
        .isEqualTo(
            "TAGS"
                + NV
                + "rk"
                + SEP
                + "x"
                + SEP
                + "KEYS"
                + NV
                + "k1"
                + SEP
                + "note"
                + NV
                + "grüße €"
                + SEP
                + "KEYS"
                + NV
                + "k2"
                + SEP
                + MessageProperties.DISPATCH_SOURCE
                + NV
                + "ex"
                + SEP);
    // Everything else as stored.
    assertThat(m)
        .usingRecursiveComparison()
        .ignoringFields("totalSize", "queueId", "queueOffset", "body", "topic", "properties")
        .isEqualTo(original);
    assertThat(m.physicalOffset()).isEqualTo(PHYSICAL);
    assertThat(m.storeTimestamp()).isEqualTo(STORE_TIME);
    // Up to the topic (header and body) the bytes are the stored ones but for the patched fields.
    int topicAt = MessageRecordLayout.bodyLengthOffset(m.sysFlag()) + 4 + body.length;
    for (int i = 0; i < topicAt; i++) {
      boolean patched =
          i < MessageRecordLayout.BODY_CRC
              || (i >= MessageRecordLayout.QUEUE_ID && i < MessageRecordLayout.FLAG)
              || (i >= MessageRecordLayout.QUEUE_OFFSET && i < MessageRecordLayout.PHYSICAL_OFFSET);
      if (!patched) {
        assertThat(view[i]).as("byte %d", i).isEqualTo(record[i]);
      }
    }
  }

  @Test
  void theTopicLengthFieldFollowsTheTargetTopic() {
    String longExchange = "e".repeat(200);
    String longQueue = "q".repeat(130);
    String props = MessageProperties.DISPATCH + NV + targets("short", longQueue) + SEP;

    byte[] v2 = stored(longExchange, new byte[] {1}, props);
    assertThat(ByteBuffer.wrap(v2).getInt(MessageRecordLayout.MAGIC))
        .isEqualTo(MessageRecordLayout.MAGIC_V2);
    byte[] toShort = DispatchView.asQueueRecord(ByteBuffer.wrap(v2), "short", 0, 7);
    assertThat(ByteBuffer.wrap(toShort).getInt(MessageRecordLayout.MAGIC))
        .isEqualTo(MessageRecordLayout.MAGIC_V1);
    StoredMessage a = validated(toShort);
    assertThat(a.topic()).isEqualTo("short");
    assertThat(a.propertyMap())
        .containsExactlyEntriesOf(Map.of(MessageProperties.DISPATCH_SOURCE, longExchange));

    byte[] v1 = stored("ex", new byte[] {1}, props);
    byte[] toLong = DispatchView.asQueueRecord(ByteBuffer.wrap(v1), longQueue, 0, 8);
    assertThat(ByteBuffer.wrap(toLong).getInt(MessageRecordLayout.MAGIC))
        .isEqualTo(MessageRecordLayout.MAGIC_V2);
    StoredMessage b = validated(toLong);
    assertThat(b.topic()).isEqualTo(longQueue);
    assertThat(b.queueOffset()).isEqualTo(8);
  }

  @Test
  void aListWithoutTrailingSeparatorIsCutCleanly() {
    String list = targets("q1");
    for (List<String> c :
        List.of(
            List.of(
                "TAGS" + NV + "rk" + SEP + MessageProperties.DISPATCH + NV + list,
                "TAGS" + NV + "rk" + SEP),
            List.of(
                MessageProperties.DISPATCH + NV + list + SEP + "KEYS" + NV + "k",
                "KEYS" + NV + "k" + SEP),
            List.of(MessageProperties.DISPATCH + NV + list, ""))) {
      byte[] view =
          DispatchView.asQueueRecord(
              ByteBuffer.wrap(stored("ex", new byte[0], c.get(0))), "q1", 0, 7);
      assertThat(validated(view).properties())
          .as(c.get(0))
          .isEqualTo(c.get(1) + MessageProperties.DISPATCH_SOURCE + NV + "ex" + SEP);
    }
  }

  @Test
  void aRecordAtThePropertiesLimitGoesWithoutItsSource() {
    // The source pair (a long exchange name) is longer than the list cut out for it.
    String exchange = "e".repeat(200);
    String list = targets("q1");
    String fixed = MessageProperties.DISPATCH + NV + list + SEP + "pad" + NV;
    String props =
        fixed + "p".repeat(MessageRecordLayout.MAX_PROPERTIES_LENGTH - fixed.length() - 1) + SEP;
    byte[] record = stored(exchange, new byte[0], props);
    byte[] view = DispatchView.asQueueRecord(ByteBuffer.wrap(record), "q1", 0, 7);
    StoredMessage m = validated(view);
    assertThat(m.propertyMap().keySet()).containsExactly("pad");
    // With a short exchange name the source fits in the room the list leaves.
    byte[] shortSource =
        DispatchView.asQueueRecord(ByteBuffer.wrap(stored("ex", new byte[0], props)), "q1", 0, 7);
    assertThat(validated(shortSource).propertyMap().keySet())
        .containsExactly("pad", MessageProperties.DISPATCH_SOURCE);
  }

  @Test
  void onlyARecordWithAnotherQueueIdOrOffsetIsReachedByDispatch() {
    ByteBuffer fanOut =
        ByteBuffer.wrap(
            stored("q1", new byte[0], MessageProperties.DISPATCH + NV + targets("q1") + SEP));
    // Its own topic and queue, offset 0: still a fan-out (its QUEUEOFFSET is -1).
    assertThat(DispatchView.reachedByDispatch(fanOut, 2, 0)).isTrue();
    ByteBuffer own = ByteBuffer.allocate(64).putInt(MessageRecordLayout.QUEUE_ID, 2);
    own.putLong(MessageRecordLayout.QUEUE_OFFSET, 0);
    assertThat(DispatchView.reachedByDispatch(own, 2, 0)).isFalse();
    assertThat(DispatchView.reachedByDispatch(own, 3, 0)).isTrue();
    assertThat(DispatchView.reachedByDispatch(own, 2, 1)).isTrue();
  }

  private static StoredMessage validated(byte[] view) {
    assertThat(RecordValidator.check(ByteBuffer.wrap(view), 0, view.length, PHYSICAL, true).kind())
        .isEqualTo(RecordValidator.Kind.RECORD);
    return StoredMessage.decode(ByteBuffer.wrap(view), 0);
  }
}
