package io.wharfmq.remoting.protocol.body;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.BitSet;
import java.util.List;

/**
 * The body of BATCH_ACK_MESSAGE (200151), RocketMQ 5's BatchAckMessageRequestBody: acks of popped
 * messages, each entry naming the messages of one queue and one pop (docs/protocol.md, "POP
 * consumption"). RocketMQ writes each entry's fields under short names ({@code c}, {@code t}, ...);
 * the long names are accepted too. Immutable.
 */
public record BatchAckBody(String brokerName, List<Entry> acks) {

  /**
   * The messages at {@code startOffset + i} of one queue for each bit {@code i} set in {@code
   * bitSet} (a {@link BitSet#toByteArray()}: a JSON array of numbers from RocketMQ's fastjson2, a
   * base64 string from Wharf's client), all of the pop made at {@code popTime}. {@code retry} "1"
   * means the topic was popped as {@code %RETRY%<consumerGroup>_<topic>}. {@code reviveQueueId} and
   * {@code invisibleTime} are carried for RocketMQ and not used by Wharf.
   */
  public record Entry(
      @JsonProperty("c") @JsonAlias("consumerGroup") String consumerGroup,
      @JsonProperty("t") @JsonAlias("topic") String topic,
      @JsonProperty("r") @JsonAlias("retry") String retry,
      @JsonProperty("so") @JsonAlias("startOffset") long startOffset,
      @JsonProperty("q") @JsonAlias("queueId") int queueId,
      @JsonProperty("rq") @JsonAlias("reviveQueueId") int reviveQueueId,
      @JsonProperty("pt") @JsonAlias("popTime") long popTime,
      @JsonProperty("it") @JsonAlias("invisibleTime") long invisibleTime,
      @JsonProperty("b") @JsonAlias("bitSet") byte[] bitSet) {

    /** The queue offsets this entry acknowledges, ascending. */
    public long[] offsets() {
      BitSet bits = BitSet.valueOf(bitSet == null ? new byte[0] : bitSet);
      long[] out = new long[bits.cardinality()];
      int n = 0;
      for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
        out[n++] = startOffset + i;
      }
      return out;
    }

    /** An entry acknowledging {@code offsets} (each at most 2^31 - 1 after the smallest). */
    public static Entry of(
        String group, String topic, int queueId, long popTime, long invisible, long[] offsets) {
      long start = Long.MAX_VALUE;
      for (long o : offsets) {
        start = Math.min(start, o);
      }
      BitSet bits = new BitSet();
      for (long o : offsets) {
        bits.set(Math.toIntExact(o - start));
      }
      return new Entry(
          group, topic, "0", start, queueId, 0, popTime, invisible, bits.toByteArray());
    }
  }
}
