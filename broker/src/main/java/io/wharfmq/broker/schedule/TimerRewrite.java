package io.wharfmq.broker.schedule;

import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.timer.TimerStore;
import java.util.Map;

/**
 * How a message with a delivery time is rewritten, in one place. Stateless.
 *
 * <p>A message with TIMER_DELIVER_MS (absolute, ms since the epoch), TIMER_DELAY_SEC or
 * TIMER_DELAY_MS (relative to its arrival; these win over TIMER_DELIVER_MS, as in RocketMQ) and a
 * due time in the future is stored in {@link TimerStore#TIMER_TOPIC} queue 0 with TIMER_OUT_MS =
 * the exact due time, REAL_TOPIC and REAL_QID. When due, {@link TimerDeliveryService} stores it
 * again in its real topic without those three. A due time not in the future means "now": the
 * message is stored in its topic as sent. A DELAY level wins over the timer properties, which are
 * then dropped (RocketMQ's rule).
 */
public final class TimerRewrite {
  private TimerRewrite() {}

  public static final String TIMER_DELIVER_MS = "TIMER_DELIVER_MS";
  public static final String TIMER_DELAY_SEC = "TIMER_DELAY_SEC";
  public static final String TIMER_DELAY_MS = "TIMER_DELAY_MS";

  /** Marks which timer record a delivered copy came from (exactly-once across restarts). */
  public static final String TIMER_SOURCE = "WHARF_TIMER_SRC";

  /** A timer property that is not a number, or a due time beyond the maximum delay. */
  public static final class InvalidTimerException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidTimerException(String message) {
      super(message);
    }
  }

  /** Whether the properties ask for a delivery time. */
  public static boolean isTimer(Map<String, String> props) {
    return props.containsKey(TIMER_DELIVER_MS)
        || props.containsKey(TIMER_DELAY_SEC)
        || props.containsKey(TIMER_DELAY_MS);
  }

  /**
   * The due time (ms) the properties ask for, given the arrival time {@code nowMs}; at most {@code
   * maxDelayMs} ahead.
   */
  public static long deliverMs(Map<String, String> props, long nowMs, long maxDelayMs)
      throws InvalidTimerException {
    long due;
    if (props.containsKey(TIMER_DELAY_SEC)) {
      due = after(nowMs, number(props, TIMER_DELAY_SEC, 1000));
    } else if (props.containsKey(TIMER_DELAY_MS)) {
      due = after(nowMs, number(props, TIMER_DELAY_MS, 1));
    } else {
      due = number(props, TIMER_DELIVER_MS, 1);
    }
    if (due > nowMs && due - nowMs > maxDelayMs) {
      throw new InvalidTimerException(
          String.format(
              "timer message illegal, the delay time should not be bigger than the max delay %dms;"
                  + " asked for %dms",
              maxDelayMs, due - nowMs));
    }
    return due;
  }

  private static long after(long nowMs, long delayMs) {
    long due = nowMs + delayMs;
    // Overflow (a delay near Long.MAX_VALUE): as far as can be, which the max-delay check rejects.
    return delayMs > 0 && due < nowMs ? Long.MAX_VALUE : due;
  }

  private static long number(Map<String, String> props, String key, long unitMs)
      throws InvalidTimerException {
    String v = props.get(key);
    try {
      return Math.multiplyExact(Long.parseLong(v.trim()), unitMs);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new InvalidTimerException(
          "timer message illegal: "
              + key
              + " must be a number of "
              + unitName(unitMs)
              + ", is '"
              + v
              + "'");
    }
  }

  private static String unitName(long unitMs) {
    return unitMs == 1000 ? "seconds" : "milliseconds";
  }

  /** The message diverted into the timer topic, due at {@code deliverMs}. */
  public static MessageToStore toTimer(
      MessageToStore m, Map<String, String> props, long deliverMs) {
    props.put(TimerStore.TIMER_OUT_MS, Long.toString(deliverMs));
    props.put(ScheduleRewrite.REAL_TOPIC, m.topic());
    props.put(ScheduleRewrite.REAL_QID, Integer.toString(m.queueId()));
    ScheduleRewrite.parkDispatch(props);
    return ScheduleRewrite.withTopic(m, TimerStore.TIMER_TOPIC, 0, MessageProperties.encode(props));
  }

  /** A due timer record back in its real topic and queue. */
  public static MessageToStore fromTimer(StoredMessage s) {
    return fromTimer(s, ParkedTargets.UNCHANGED);
  }

  /** A due timer record back in its real topic and queue, with the targets still there. */
  public static MessageToStore fromTimer(StoredMessage s, ParkedTargets parked) {
    return ScheduleRewrite.toRealTopic(s, parked, TIMER_SOURCE, TimerStore.TIMER_OUT_MS);
  }

  /** The properties without any timer property (a DELAY level wins over them). */
  public static void dropTimer(Map<String, String> props) {
    props.remove(TIMER_DELIVER_MS);
    props.remove(TIMER_DELAY_SEC);
    props.remove(TIMER_DELAY_MS);
  }
}
