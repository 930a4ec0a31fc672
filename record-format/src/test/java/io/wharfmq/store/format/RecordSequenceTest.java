package io.wharfmq.store.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bodies of stored records back to back: whole, cut short, corrupted and random. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordSequenceTest {

  private static byte[] record(String topic, String body, long physicalOffset) {
    MessageToStore m =
        MessageToStore.of(
            topic,
            1,
            body.getBytes(StandardCharsets.UTF_8),
            MessageProperties.encode(Map.of(MessageProperties.TAGS, "T")),
            5L);
    return TestRecords.stored(m, 3, physicalOffset, 9);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static List<String> bodies(RecordSequence.Decoded d) {
    return d.records().stream().map(m -> new String(m.body(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void decodesEveryRecordOfAWellFormedBody() {
    byte[] body = concat(record("A", "one", 100), record("B", "two", 7000), record("A", "", 0));

    RecordSequence.Decoded d = RecordSequence.decode(body);

    assertThat(d.malformed()).isNull();
    assertThat(bodies(d)).containsExactly("one", "two", "");
    assertThat(d.records()).extracting(StoredMessage::topic).containsExactly("A", "B", "A");
    assertThat(d.records())
        .extracting(StoredMessage::physicalOffset)
        .containsExactly(100L, 7000L, 0L);
  }

  @Test
  void nullAndEmptyBodiesHoldNothing() {
    assertThat(RecordSequence.decode(null)).isEqualTo(new RecordSequence.Decoded(List.of(), null));
    assertThat(RecordSequence.decode(new byte[0]).records()).isEmpty();
    assertThat(RecordSequence.decode(new byte[0]).malformed()).isNull();
  }

  @Test
  void stopsAtStrayTrailingBytesKeepingWhatCameBefore() {
    byte[] body = concat(record("A", "one", 0), new byte[] {1, 2, 3});

    RecordSequence.Decoded d = RecordSequence.decode(body);

    assertThat(bodies(d)).containsExactly("one");
    assertThat(d.malformed()).contains("3 stray bytes");
  }

  @Test
  void stopsAtTheFirstMalformedRecord() {
    byte[] second = record("B", "two", 50);
    second[MessageRecordLayout.MAGIC] ^= 0x5A;
    byte[] body = concat(record("A", "one", 0), second, record("C", "three", 90));

    RecordSequence.Decoded d = RecordSequence.decode(body);

    assertThat(bodies(d)).containsExactly("one");
    assertThat(d.malformed()).startsWith("record at byte " + record("A", "one", 0).length);
    assertThat(d.malformed()).contains("bad magic");
  }

  @Test
  void aRecordLongerThanTheBodyIsMalformedNotAnException() {
    byte[] whole = record("A", "a body long enough to cut", 0);

    RecordSequence.Decoded d = RecordSequence.decode(Arrays.copyOf(whole, whole.length - 4));

    assertThat(d.records()).isEmpty();
    assertThat(d.malformed()).contains("out of range");
  }

  @Test
  void mutatedBodiesNeverThrow() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    byte[] good = concat(record("A", "one", 0), record("B", "two", 1), record("C", "three", 2));
    for (int i = 0; i < 20_000; i++) {
      byte[] body = Arrays.copyOf(good, rnd.nextInt(good.length + 1));
      for (int flips = rnd.nextInt(4); flips > 0 && body.length > 0; flips--) {
        body[rnd.nextInt(body.length)] = (byte) rnd.nextInt();
      }
      RecordSequence.Decoded d = RecordSequence.decode(body);
      assertThat(d.records().size() <= 3).as("seed %d", seed).isTrue();
      assertThat(d.malformed() == null || !d.malformed().isEmpty()).as("seed %d", seed).isTrue();
    }
  }
}
