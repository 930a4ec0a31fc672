package io.wharfmq.store.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds the record validator (the decoder recovery trusts) random and mutated records: it must
 * never throw, and whatever it calls a record must decode.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordValidatorFuzzTest {

  private static byte[] validRecord(Random rnd, long physicalOffset) {
    byte[] body = new byte[rnd.nextInt(200)];
    rnd.nextBytes(body);
    String topic =
        rnd.nextInt(10) == 0 ? "t".repeat(130 + rnd.nextInt(50)) : "Topic" + rnd.nextInt(9);
    InetSocketAddress v4 = new InetSocketAddress("10.1.2.3", 1234);
    InetSocketAddress v6 = new InetSocketAddress("::1", 5678);
    Map<String, String> props = new LinkedHashMap<>();
    props.put("TAGS", "T" + rnd.nextInt(5));
    boolean fanOut = rnd.nextInt(4) == 0;
    if (fanOut) {
      List<DispatchTargets.Queue> targets = new ArrayList<>();
      for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
        targets.add(new DispatchTargets.Queue("Q" + i, rnd.nextInt(4)));
      }
      props.put(MessageProperties.DISPATCH, DispatchTargets.encode(targets));
    }
    props.put("KEYS", "k");
    MessageToStore m =
        new MessageToStore(
            topic,
            rnd.nextInt(8),
            rnd.nextInt(),
            body,
            MessageProperties.encode(props),
            0,
            rnd.nextLong(),
            rnd.nextBoolean() ? v4 : v6,
            rnd.nextBoolean() ? v4 : v6,
            rnd.nextInt(3),
            0);
    return TestRecords.stored(
        m, fanOut ? MessageRecordLayout.DISPATCHED_QUEUE_OFFSET : 7, physicalOffset, 99);
  }

  /** A record with its properties cut at {@code keep} bytes and zeros after: a lost tail page. */
  private static byte[] tornAt(byte[] record, int keep) {
    byte[] torn = record.clone();
    Arrays.fill(torn, keep, torn.length, (byte) 0);
    return torn;
  }

  @Test
  void aFanOutWhoseTargetListLostItsTailIsInvalid() {
    String props =
        MessageProperties.encode(
            Map.of(
                MessageProperties.DISPATCH,
                DispatchTargets.encode(
                    List.of(
                        new DispatchTargets.Queue("A", 0), new DispatchTargets.Queue("B", 1)))));
    byte[] rec =
        TestRecords.stored(
            MessageToStore.of("ex", 0, new byte[] {1, 2}, "TAGS\u0001t\u0002" + props, 0L),
            MessageRecordLayout.DISPATCHED_QUEUE_OFFSET,
            0,
            99);
    assertThat(RecordValidator.check(ByteBuffer.wrap(rec), 0, rec.length, 0, true).kind())
        .isEqualTo(RecordValidator.Kind.RECORD);
    // Digits lost: the list does not parse.
    byte[] digits = tornAt(rec, rec.length - 6);
    RecordValidator.Result r =
        RecordValidator.check(ByteBuffer.wrap(digits), 0, rec.length, 0, true);
    assertThat(r.kind()).isEqualTo(RecordValidator.Kind.INVALID);
    assertThat(r.reason()).contains(MessageProperties.DISPATCH);
    // The name lost: no list at all, but QUEUEOFFSET says fan-out.
    byte[] name = tornAt(rec, rec.length - props.length() + 5);
    r = RecordValidator.check(ByteBuffer.wrap(name), 0, rec.length, 0, true);
    assertThat(r.kind()).isEqualTo(RecordValidator.Kind.INVALID);
    assertThat(r.reason()).contains("QUEUEOFFSET");
    // Reads by offset do not look at properties.
    assertThat(RecordValidator.check(ByteBuffer.wrap(digits), 0, rec.length, 0, false).kind())
        .isEqualTo(RecordValidator.Kind.RECORD);
  }

  @Test
  void validRecordsValidateAndRoundTrip() {
    Random rnd = new Random(1);
    for (int i = 0; i < 2000; i++) {
      byte[] rec = validRecord(rnd, 4096L * i);
      ByteBuffer buf = ByteBuffer.wrap(rec);
      RecordValidator.Result r = RecordValidator.check(buf, 0, rec.length, 4096L * i, true);
      assertThat(r.kind()).isEqualTo(RecordValidator.Kind.RECORD);
      assertThat(r.size()).isEqualTo(rec.length);
      StoredMessage m = StoredMessage.decode(buf, 0);
      assertThat(m.physicalOffset()).isEqualTo(4096L * i);
      assertThat(m.queueOffset())
          .isEqualTo(
              DispatchTargets.valueIn(m.properties()) != null
                  ? MessageRecordLayout.DISPATCHED_QUEUE_OFFSET
                  : 7);
      assertThat(m.storeTimestamp()).isEqualTo(99);
      assertThat(m.propertyMap()).containsKey("TAGS");
    }
  }

  @Test
  void mutatedAndRandomBytesNeverThrowAndAcceptedOnesDecode() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    int invalid = 0;
    for (int i = 0; i < 50_000; i++) {
      byte[] rec;
      if (i % 5 == 0) {
        rec = new byte[rnd.nextInt(400)];
        rnd.nextBytes(rec);
      } else {
        rec = validRecord(rnd, 0);
        int flips = 1 + rnd.nextInt(4);
        for (int f = 0; f < flips; f++) {
          rec[rnd.nextInt(rec.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
      }
      ByteBuffer buf = ByteBuffer.wrap(rec);
      RecordValidator.Result r;
      try {
        r = RecordValidator.check(buf, 0, rec.length, 0, true);
        if (r.kind() == RecordValidator.Kind.RECORD) {
          // Whatever recovery accepts, the dispatcher can dispatch.
          String targets = DispatchTargets.valueIn(StoredMessage.decode(buf, 0).properties());
          if (targets != null) {
            DispatchTargets.parse(targets);
          }
        } else if (r.kind() == RecordValidator.Kind.INVALID) {
          invalid++;
          assertThat(r.reason()).isNotBlank();
        }
      } catch (RuntimeException e) {
        throw new AssertionError(
            "seed "
                + seed
                + " iteration "
                + i
                + ": "
                + new String(rec, StandardCharsets.ISO_8859_1),
            e);
      }
    }
    assertThat(invalid).as("seed %d", seed).isGreaterThan(30_000);
  }
}
