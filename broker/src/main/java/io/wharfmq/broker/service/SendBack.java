package io.wharfmq.broker.service;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.schedule.RedeliveryCopy;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer could not process a message it pulled (RocketMQ's send-back): a copy goes to {@code
 * %RETRY%<group>} with reconsumeTimes + 1, delayed by level {@code 3 + reconsumeTimes} (or the
 * level asked for), so it comes back to the group later; once the message has been delivered
 * maxReconsumeTimes times (or a negative level is asked for) the copy goes to {@code %DLQ%<group>}
 * instead, keeping the original topic (RETRY_TOPIC), message id (ORIGIN_MESSAGE_ID, UNIQ_KEY), keys
 * and properties. A group with retryQueueNums 0 drops the message. Thread-safe.
 */
final class SendBack {
  private static final Logger log = LoggerFactory.getLogger(SendBack.class);

  private final BrokerContext ctx;
  private final GroupRegistry groups;

  SendBack(BrokerContext ctx, GroupRegistry groups) {
    this.ctx = ctx;
    this.groups = groups;
  }

  /**
   * @param originTopic the topic the consumer received the message from (may be null): for a
   *     message dispatched to a queue it is that queue's topic, not the stored record's
   */
  CompletableFuture<Result<Void>> sendBack(
      String group,
      long offset,
      int delayLevel,
      int maxReconsumeTimes,
      String originId,
      String originTopic)
      throws IOException {
    SubscriptionGroupConfig groupConfig = ctx.subscriptionGroups().findOrCreate(group);
    if (groupConfig == null) {
      return done(Result.fail(Status.NOT_FOUND, "subscription group not exist, " + group));
    }
    if (groupConfig.retryQueueNums() <= 0) {
      return done(Result.ok(null));
    }
    int max = maxReconsumeTimes >= 0 ? maxReconsumeTimes : groups.maxReconsumeTimes(group);
    StoredMessage m = ctx.store().readMessage(offset);
    if (m == null || m.physicalOffset() != offset) {
      return done(Result.fail(Status.NOT_FOUND, "look message by offset failed, " + offset));
    }
    Map<String, String> props = m.propertyMap();
    String dispatched = props.get(MessageProperties.DISPATCH);
    boolean fromTarget =
        dispatched != null
            && originTopic != null
            && DispatchTargets.parse(dispatched).stream()
                .anyMatch(t -> t.topic().equals(originTopic));
    props.putIfAbsent(ScheduleRewrite.RETRY_TOPIC, fromTarget ? originTopic : m.topic());
    String origin = originId != null ? originId : props.get(MessageProperties.UNIQ_KEY);
    if (origin != null) {
      props.putIfAbsent(ScheduleRewrite.ORIGIN_MESSAGE_ID, origin);
    }
    props.remove(ScheduleRewrite.DELAY);
    int times = m.reconsumeTimes();
    boolean dlq = times >= max || delayLevel < 0;
    String target = (dlq ? ScheduleRewrite.DLQ_PREFIX : ScheduleRewrite.RETRY_PREFIX) + group;
    if (!dlq) {
      int level = delayLevel == 0 ? 3 + times : delayLevel;
      props.put(
          ScheduleRewrite.DELAY, Integer.toString(Math.min(level, ctx.delayLevels().count())));
    }
    RedeliveryCopy.ensureTopic(
        ctx.topics(), ctx.topicsChanged(), target, dlq ? 1 : groupConfig.retryQueueNums());
    MessageToStore copy = RedeliveryCopy.of(m, target, props, ctx.storeHost(), times + 1);
    if (dlq) {
      log.info("Message {} of group {} failed {} times: to {}", origin, group, times + 1, target);
    } else {
      copy =
          ScheduleRewrite.toSchedule(
              copy, ScheduleRewrite.delayLevel(copy.properties()), ctx.delayLevels().count());
    }
    return ctx.store()
        .append(copy)
        .thenApply(
            r ->
                r.isOk()
                    ? Result.<Void>ok(null)
                    : Result.<Void>fail(SendPipeline.status(r), r.status() + ": " + r.detail()));
  }

  private static CompletableFuture<Result<Void>> done(Result<Void> r) {
    return CompletableFuture.completedFuture(r);
  }
}
