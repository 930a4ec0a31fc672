package io.wharfmq.service;

import java.util.List;

/**
 * What a pop took (possibly nothing).
 *
 * @param popTime when the messages were taken
 * @param remaining messages still waiting in the queues read (an estimate)
 */
public record PopResult(
    Status status, String detail, long popTime, List<ReceivedMessage> messages, long remaining) {
  public static PopResult fail(Status status, String detail) {
    return new PopResult(status, detail, 0, List.of(), 0);
  }
}
