package io.wharfmq.broker.pop;

import java.util.List;

/**
 * One record of the pop log: the new state of some messages of one queue for one group, and how far
 * the group has scanned that queue. Replaying these records in log order rebuilds every pop state;
 * the latest record about a message wins. Immutable.
 *
 * @param group the consumer group
 * @param topic the topic the messages are in
 * @param queueId their queue
 * @param scanFrom the first offset the group has not examined yet when the record was written
 * @param entries the messages whose state changed
 */
public record PopLogRecord(
    String group, String topic, int queueId, long scanFrom, List<Entry> entries) {

  /** What happened to a message. */
  public enum Kind {
    /** Delivered and invisible until {@code deadline}. */
    IN_FLIGHT(1),
    /** Acknowledged: never delivered again. */
    ACKED(2),
    /** Moved to the group's dead-letter queue after too many deliveries (final, like ACKED). */
    DEAD(3);

    final byte code;

    Kind(int code) {
      this.code = (byte) code;
    }

    static Kind of(byte code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown pop entry kind " + code);
    }
  }

  /**
   * One message's state.
   *
   * @param offset its queue offset
   * @param kind what happened
   * @param popTime when the current delivery was handed out (ms; identifies the receipt handle)
   * @param deadline when it becomes visible again if not acknowledged (ms)
   * @param reconsumeTimes earlier deliveries before the current one
   */
  public record Entry(long offset, Kind kind, long popTime, long deadline, int reconsumeTimes) {}
}
