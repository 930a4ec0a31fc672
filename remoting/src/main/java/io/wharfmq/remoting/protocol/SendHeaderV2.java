package io.wharfmq.remoting.protocol;

import java.util.List;

/**
 * SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE carry the SEND_MESSAGE header under one-letter keys, "a"
 * to "n", to save bytes; this is the table from those keys to the v1 names. Stateless.
 */
public final class SendHeaderV2 {
  /** The v1 names, in the order of their keys "a", "b", ... */
  public static final List<String> V1_NAMES =
      List.of(
          "producerGroup",
          "topic",
          "defaultTopic",
          "defaultTopicQueueNums",
          "queueId",
          "sysFlag",
          "bornTimestamp",
          "flag",
          "properties",
          "reconsumeTimes",
          "unitMode",
          "maxReconsumeTimes",
          "batch",
          "bname");

  private SendHeaderV2() {}

  /** The v1 name that V2 key {@code key} stands for, or null when it is not one. */
  public static String v1Name(String key) {
    if (key.length() != 1) {
      return null;
    }
    int i = key.charAt(0) - 'a';
    return i >= 0 && i < V1_NAMES.size() ? V1_NAMES.get(i) : null;
  }
}
