package io.wharfmq.broker.pop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pop-log record codec: round trip, and random or mutated bodies either decode or fail with
 * IllegalArgumentException (the only failure replay skips; anything else would stop startup).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PopLogRecordLayoutTest {
  private static final PopLogRecord SAMPLE =
      new PopLogRecord(
          "group-ü",
          "Topic",
          3,
          42,
          List.of(
              new PopLogRecord.Entry(40, PopLogRecord.Kind.IN_FLIGHT, 1000, 31_000, 2),
              new PopLogRecord.Entry(41, PopLogRecord.Kind.ACKED, 1001, 0, 0),
              new PopLogRecord.Entry(39, PopLogRecord.Kind.DEAD, 999, 0, 16)));

  @Test
  void roundTrips() {
    byte[] body = PopLogRecordLayout.encode(SAMPLE);
    assertThat(body.length)
        .isEqualTo(
            PopLogRecordLayout.GROUP
                + "group-ü".getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + 2
                + 5
                + 4
                + 3 * PopLogRecordLayout.ENTRY_SIZE);
    assertThat(PopLogRecordLayout.decode(body)).isEqualTo(SAMPLE);
  }

  @Test
  void badVersionAndTruncationAreInvalidRecords() {
    byte[] body = PopLogRecordLayout.encode(SAMPLE);
    body[PopLogRecordLayout.VERSION_OFFSET] = 9;
    assertThatThrownBy(() -> PopLogRecordLayout.decode(body))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version");
    byte[] good = PopLogRecordLayout.encode(SAMPLE);
    for (int len = 0; len < good.length; len++) {
      byte[] cut = java.util.Arrays.copyOf(good, len);
      assertThatThrownBy(() -> PopLogRecordLayout.decode(cut))
          .as("truncated to %d", len)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void randomAndMutatedBodiesDecodeOrAreInvalid() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    byte[] good = PopLogRecordLayout.encode(SAMPLE);
    for (int i = 0; i < 20_000; i++) {
      byte[] body;
      if (random.nextBoolean()) {
        body = new byte[random.nextInt(200)];
        random.nextBytes(body);
        if (body.length > 0 && random.nextBoolean()) {
          body[0] = PopLogRecordLayout.VERSION;
        }
      } else {
        body = good.clone();
        for (int m = 1 + random.nextInt(4); m > 0; m--) {
          body[random.nextInt(body.length)] = (byte) random.nextInt(256);
        }
      }
      try {
        PopLogRecordLayout.decode(body);
      } catch (IllegalArgumentException expected) {
        // an invalid record: what replay skips
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ", case " + i + ": " + e, e);
      }
    }
  }
}
