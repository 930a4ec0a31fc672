package io.wharfmq.client;

import java.util.List;

/**
 * One pull's answer. Immutable.
 *
 * @param status what the broker found
 * @param nextBeginOffset where the next pull starts
 * @param minOffset the queue's first offset
 * @param maxOffset the queue's next offset to be written
 * @param messages the messages (FOUND only), before client-side tag filtering
 */
record PullResult(
    Status status,
    long nextBeginOffset,
    long minOffset,
    long maxOffset,
    List<MessageView> messages) {

  enum Status {
    FOUND,
    NO_NEW_MSG,
    NO_MATCHED_MSG,
    OFFSET_ILLEGAL
  }
}
