package io.wharfmq.broker.schedule;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.timer.TimerStore;
import java.time.InstantSource;
import java.util.Map;

/**
 * Where a message that must not be seen before a later time is stored first: one with a delay level
 * in the schedule topic, one with timer properties in the timer topic; any other message stays as
 * it is. Used for plain sends and for committed transactional messages, since RocketMQ applies both
 * to what a transaction commits. Thread-safe (stateless apart from its settings).
 */
public final class DeliveryRewrite {
  private final BrokerConfig config;
  private final int delayLevelCount;
  private final InstantSource clock;

  public DeliveryRewrite(BrokerConfig config, int delayLevelCount, InstantSource clock) {
    this.config = config;
    this.delayLevelCount = delayLevelCount;
    this.clock = clock;
  }

  /**
   * The message to store in place of {@code m}. A delay level wins over timer properties (as in
   * RocketMQ); a timer whose time has passed is stored as it is.
   *
   * @throws TimerRewrite.InvalidTimerException for unreadable or too distant timer properties, or
   *     when timers are disabled
   */
  public MessageToStore apply(MessageToStore m) throws TimerRewrite.InvalidTimerException {
    int level = ScheduleRewrite.delayLevel(m.properties());
    if (!m.properties().contains("TIMER_") || m.topic().equals(TimerStore.TIMER_TOPIC)) {
      return level > 0 ? ScheduleRewrite.toSchedule(m, level, delayLevelCount) : m;
    }
    Map<String, String> props = MessageProperties.decode(m.properties());
    if (level > 0 || !TimerRewrite.isTimer(props) || props.containsKey(TimerStore.TIMER_OUT_MS)) {
      if (level > 0 && TimerRewrite.isTimer(props)) {
        TimerRewrite.dropTimer(props);
        m = ScheduleRewrite.withTopic(m, m.topic(), m.queueId(), MessageProperties.encode(props));
      }
      return level > 0 ? ScheduleRewrite.toSchedule(m, level, delayLevelCount) : m;
    }
    if (!config.timerWheelEnable()) {
      throw new TimerRewrite.InvalidTimerException(
          "accurate timer message is not enabled, timerWheelEnable is false");
    }
    long now = clock.millis();
    long due = TimerRewrite.deliverMs(props, now, config.timerMaxDelaySec() * 1000L);
    return due > now ? TimerRewrite.toTimer(m, props, due) : m;
  }
}
