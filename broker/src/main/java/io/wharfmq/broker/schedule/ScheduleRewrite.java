package io.wharfmq.broker.schedule;

import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import java.util.Map;

/**
 * How delayed, retried and dead-lettered messages are rewritten, in one place. Stateless.
 *
 * <p>A message with DELAY = L > 0 is stored in {@link #SCHEDULE_TOPIC} queue L-1 with REAL_TOPIC
 * and REAL_QID; when due, {@link ScheduleMessageService} stores it again in its real topic and
 * queue without those properties (RocketMQ leaves them in; clients ignore them either way).
 */
public final class ScheduleRewrite {
  private ScheduleRewrite() {}

  public static final String SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";
  public static final String DELAY = "DELAY";
  public static final String REAL_TOPIC = "REAL_TOPIC";
  public static final String REAL_QID = "REAL_QID";
  public static final String RETRY_TOPIC = "RETRY_TOPIC";
  public static final String ORIGIN_MESSAGE_ID = "ORIGIN_MESSAGE_ID";
  public static final String RETRY_PREFIX = "%RETRY%";
  public static final String DLQ_PREFIX = "%DLQ%";

  /**
   * Marks which schedule record a delivered copy came from, so a restart can tell whether the
   * delivery already happened (exactly-once delivery of delayed messages).
   */
  public static final String SCHEDULE_SOURCE = "WHARF_SCHEDULE_SRC";

  /** The DELAY level in a properties string, or 0. */
  public static int delayLevel(String properties) {
    String v = MessageProperties.find(properties, DELAY);
    if (v == null) {
      return 0;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The message diverted into the schedule topic for {@code level}. */
  public static MessageToStore toSchedule(MessageToStore m, int level, int maxLevel) {
    int capped = Math.min(level, maxLevel);
    Map<String, String> props = MessageProperties.decode(m.properties());
    props.put(DELAY, Integer.toString(capped));
    props.put(REAL_TOPIC, m.topic());
    props.put(REAL_QID, Integer.toString(m.queueId()));
    parkDispatch(props);
    return withTopic(m, SCHEDULE_TOPIC, capped - 1, MessageProperties.encode(props));
  }

  /**
   * Moves a fan-out's target list ({@link MessageProperties#DISPATCH}) aside to {@link
   * MessageProperties#REAL_DISPATCH}, like REAL_TOPIC: a parked copy (schedule, timer, transaction
   * half) must reach no target queue while it waits.
   */
  public static void parkDispatch(Map<String, String> props) {
    String targets = props.remove(MessageProperties.DISPATCH);
    if (targets != null) {
      props.put(MessageProperties.REAL_DISPATCH, targets);
    }
  }

  /**
   * Puts a parked target list back, so the record stored when the message becomes visible reaches
   * its targets with fresh queue offsets (the appender overwrites the digits).
   */
  public static void restoreDispatch(Map<String, String> props) {
    restoreDispatch(props, ParkedTargets.UNCHANGED);
  }

  /**
   * Puts back the parked targets that {@code parked} still finds. When none is left the record
   * keeps no list (docs/rabbitmq.md, "Routing": it is stored in the exchange's own topic, which no
   * queue reads).
   */
  public static void restoreDispatch(Map<String, String> props, ParkedTargets parked) {
    String targets = props.remove(MessageProperties.REAL_DISPATCH);
    if (targets != null) {
      String now = parked.stillReachable(targets);
      if (now != null) {
        props.put(MessageProperties.DISPATCH, now);
      }
    }
  }

  /** A due schedule record back in its real topic and queue. */
  public static MessageToStore fromSchedule(StoredMessage s) {
    return fromSchedule(s, ParkedTargets.UNCHANGED);
  }

  /** A due schedule record back in its real topic and queue, with the targets still there. */
  public static MessageToStore fromSchedule(StoredMessage s, ParkedTargets parked) {
    return toRealTopic(s, parked, SCHEDULE_SOURCE, DELAY);
  }

  /**
   * A waiting record (schedule or timer) stored again in its REAL_TOPIC and REAL_QID, without those
   * and the {@code dropped} properties, marked with {@code sourceKey} = its log offset so a restart
   * can tell whether it was delivered.
   */
  public static MessageToStore toRealTopic(StoredMessage s, String sourceKey, String... dropped) {
    return toRealTopic(s, ParkedTargets.UNCHANGED, sourceKey, dropped);
  }

  /** As {@link #toRealTopic(StoredMessage, String, String...)}, a fan-out's targets filtered. */
  public static MessageToStore toRealTopic(
      StoredMessage s, ParkedTargets parked, String sourceKey, String... dropped) {
    Map<String, String> props = s.propertyMap();
    String topic = props.remove(REAL_TOPIC);
    String qid = props.remove(REAL_QID);
    for (String d : dropped) {
      props.remove(d);
    }
    restoreDispatch(props, parked);
    props.put(sourceKey, Long.toString(s.physicalOffset()));
    return new MessageToStore(
        topic,
        qid == null ? 0 : Integer.parseInt(qid),
        s.flag(),
        s.body(),
        MessageProperties.encode(props),
        s.sysFlag(),
        s.bornTimestamp(),
        s.bornHost(),
        s.storeHost(),
        s.reconsumeTimes(),
        s.preparedTransactionOffset());
  }

  /**
   * Whether the waiting record {@code s} was already stored in its real topic (found by UNIQ_KEY,
   * carrying {@code sourceKey} = its offset). False for a message without UNIQ_KEY: it cannot be
   * looked up.
   */
  public static boolean alreadyDelivered(MessageStore store, StoredMessage s, String sourceKey) {
    Map<String, String> props = s.propertyMap();
    String uniq = props.get(MessageProperties.UNIQ_KEY);
    String realTopic = props.get(REAL_TOPIC);
    if (uniq == null || realTopic == null) {
      return false;
    }
    String source = Long.toString(s.physicalOffset());
    for (StoredMessage m :
        store.queryByKey(realTopic, uniq, 64, s.storeTimestamp(), Long.MAX_VALUE)) {
      if (source.equals(MessageProperties.find(m.properties(), sourceKey))) {
        return true;
      }
    }
    return false;
  }

  public static MessageToStore withTopic(
      MessageToStore m, String topic, int queueId, String properties) {
    return new MessageToStore(
        topic,
        queueId,
        m.flag(),
        m.body(),
        properties,
        m.sysFlag(),
        m.bornTimestamp(),
        m.bornHost(),
        m.storeHost(),
        m.reconsumeTimes(),
        m.preparedTransactionOffset());
  }

  /** The group a retry topic belongs to, or null if it is not one. */
  public static String groupOfRetryTopic(String topic) {
    return topic.startsWith(RETRY_PREFIX) ? topic.substring(RETRY_PREFIX.length()) : null;
  }
}
