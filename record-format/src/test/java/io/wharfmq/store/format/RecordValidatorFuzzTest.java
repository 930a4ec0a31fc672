package io.wharfmq.store.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
    MessageToStore m =
        new MessageToStore(
            topic,
            rnd.nextInt(8),
            rnd.nextInt(),
            body,
            MessageProperties.encode(Map.of("TAGS", "T" + rnd.nextInt(5), "KEYS", "k")),
            0,
            rnd.nextLong(),
            rnd.nextBoolean() ? v4 : v6,
            rnd.nextBoolean() ? v4 : v6,
            rnd.nextInt(3),
            0);
    return TestRecords.stored(m, 7, physicalOffset, 99);
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
      assertThat(m.queueOffset()).isEqualTo(7);
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
          StoredMessage.decode(buf, 0);
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
