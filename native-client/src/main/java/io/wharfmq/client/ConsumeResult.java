package io.wharfmq.client;

/** What a listener made of a batch. */
public enum ConsumeResult {
  /** Consumed; the offset may move past these messages. */
  SUCCESS,
  /** Not consumed now; deliver again later. */
  RETRY_LATER
}
