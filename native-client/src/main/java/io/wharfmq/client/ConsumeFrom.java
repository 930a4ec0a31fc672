package io.wharfmq.client;

import java.time.Instant;

/**
 * Where a group starts on a queue it has no committed offset for. Immutable.
 *
 * @param position which end, or a time
 * @param timestampMillis for {@link Position#TIMESTAMP}, the time to start from (ms); else 0
 */
public record ConsumeFrom(Position position, long timestampMillis) {
  /** The three starting points. */
  public enum Position {
    FIRST,
    LAST,
    TIMESTAMP
  }

  public static final ConsumeFrom FIRST = new ConsumeFrom(Position.FIRST, 0);
  public static final ConsumeFrom LAST = new ConsumeFrom(Position.LAST, 0);

  /** Start at the first message stored at or after {@code time}. */
  public static ConsumeFrom timestamp(Instant time) {
    return new ConsumeFrom(Position.TIMESTAMP, time.toEpochMilli());
  }

  /** The RocketMQ heartbeat name of this policy. */
  String wireName() {
    return switch (position) {
      case FIRST -> "CONSUME_FROM_FIRST_OFFSET";
      case LAST -> "CONSUME_FROM_LAST_OFFSET";
      case TIMESTAMP -> "CONSUME_FROM_TIMESTAMP";
    };
  }
}
