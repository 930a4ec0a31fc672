package io.wharfmq.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands failed messages back to the broker with CONSUMER_SEND_MSG_BACK (clustering only): to the
 * group's retry topic (the broker delays it by level 3 + reconsumeTimes) or, past the maximum, to
 * its dead-letter topic. Failures are return values: the caller retries locally. Thread-safe.
 */
final class RetrySender {
  private static final Logger log = LoggerFactory.getLogger(RetrySender.class);

  /** Delay level 0: the broker picks 3 + reconsumeTimes (RocketMQ's default). */
  private static final int BROKER_DELAY = 0;

  /** A negative delay level sends the message straight to the dead-letter topic. */
  private static final int DEAD_LETTER = -1;

  private final ClientRuntime runtime;
  private final String group;
  private final int maxReconsumeTimes;
  private final Runnable afterSendBack;

  RetrySender(ClientRuntime runtime, String group, int maxReconsumeTimes, Runnable afterSendBack) {
    this.runtime = runtime;
    this.group = group;
    this.maxReconsumeTimes = maxReconsumeTimes;
    this.afterSendBack = afterSendBack;
  }

  int maxReconsumeTimes() {
    return maxReconsumeTimes;
  }

  /** To the retry topic (or the DLQ once the broker counts enough deliveries). */
  boolean sendBack(MessageView m) {
    return send(m, BROKER_DELAY);
  }

  /** Straight to the dead-letter topic (orderly consumers, past the maximum). */
  boolean toDeadLetter(MessageView m) {
    log.warn(
        "Message {} of {} failed {} times in group {}: to the dead-letter topic",
        m.msgId(),
        m.queue(),
        m.reconsumeTimes() + 1,
        group);
    return send(m, DEAD_LETTER);
  }

  private boolean send(MessageView m, int delayLevel) {
    String address = runtime.routes.masterAddress(m.queue().brokerName());
    if (address == null) {
      log.warn("Cannot send {} back: no address for broker {}", m.msgId(), m.queue().brokerName());
      return false;
    }
    try {
      runtime.brokers.sendBack(address, group, m, delayLevel, maxReconsumeTimes);
    } catch (ClientException | IllegalArgumentException e) {
      log.warn(
          "Send-back of {} to {} failed; retrying locally: {}", m.msgId(), address, e.toString());
      return false;
    }
    afterSendBack.run();
    return true;
  }
}
