package io.wharfmq.broker.service;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.schedule.DeliveryRewrite;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.broker.schedule.TimerRewrite;
import io.wharfmq.broker.topic.SystemTopics;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.broker.transaction.TransactionService;
import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.Routing;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.store.AppendResult;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send path of the service: resolves (or creates) the topic, adds the properties the broker
 * stores with every message, diverts single messages (retry past the limit to the DLQ, half
 * messages to the half topic, delay levels and timers to their topics) and appends. Thread-safe
 * (stateless apart from its collaborators).
 */
final class SendPipeline {
  private static final Logger log = LoggerFactory.getLogger(SendPipeline.class);

  /** How a send may create its missing topic: RocketMQ's default topic and queue count. */
  record TopicTemplate(String defaultTopic, int queueNums) {}

  private final BrokerContext ctx;
  private final GroupRegistry groups;
  private final DeliveryRewrite delivery;
  private final RoutedSends routed;
  private volatile QueueRules rules;

  /** Held for reading by each routed send from its routing until its append completes. */
  private final StampedLock routedInFlight = new StampedLock();

  SendPipeline(BrokerContext ctx, GroupRegistry groups, RoutedSends routed) {
    this.ctx = ctx;
    this.groups = groups;
    this.routed = routed;
    this.delivery = new DeliveryRewrite(ctx.config(), ctx.delayLevels().count(), ctx.clock());
  }

  /** Applies the queues' length limits from now on. */
  void enforce(QueueRules r) {
    this.rules = r;
    routed.enforce(r);
  }

  CompletableFuture<SendResult> send(SendCommand c, TopicTemplate template) {
    // A RocketMQ producer's send (it comes with a topic template) to an exchange's topic is routed
    // by its tag; other doors name the exchange in the command.
    Routing routing = routed.routingOf(c, template != null);
    if (routing != null) {
      long stamp = routedInFlight.readLock(); // until stored: see awaitRoutedSends
      CompletableFuture<SendResult> f;
      try {
        f = sendRouted(c, routing);
      } catch (RuntimeException e) {
        routedInFlight.unlockRead(stamp);
        throw e;
      }
      f.whenComplete((r, e) -> routedInFlight.unlockRead(stamp));
      return f;
    }
    String topic = c.topic();
    String problem = TopicConfigManager.checkName(topic);
    if (problem != null) {
      return fail(Status.ILLEGAL, problem, topic);
    }
    if (SystemTopics.isNotAllowedSendTopic(topic)) {
      return fail(Status.FORBIDDEN, "Sending message to topic[" + topic + "] is forbidden.", topic);
    }
    if (c.messages().isEmpty()) {
      return fail(Status.ILLEGAL, "no message to send", topic);
    }
    if (!c.batch() && c.messages().size() != 1) {
      return fail(Status.ILLEGAL, "a single send carries exactly one message", topic);
    }
    TopicConfig config;
    try {
      config = resolveTopic(topic, c.autoCreate(), template);
    } catch (IOException e) {
      log.error("Cannot create topic {} on send", topic, e);
      return fail(Status.ERROR, "cannot create topic " + topic + ": " + e.getMessage(), topic);
    }
    if (config == null) {
      return fail(Status.NOT_FOUND, "topic[" + topic + "] not exist, apply first please!", topic);
    }
    if (!config.isWritable()) {
      return fail(Status.FORBIDDEN, "the topic[" + topic + "] sending is forbidden", topic);
    }
    int queueId = c.queueId();
    int queues = Math.max(config.writeQueueNums(), config.readQueueNums());
    if (queueId < 0) {
      queueId = ThreadLocalRandom.current().nextInt(config.writeQueueNums());
    } else if (queueId >= queues) {
      return fail(
          Status.ILLEGAL,
          "request queueId["
              + queueId
              + "] is illegal, topic "
              + topic
              + " has "
              + queues
              + " queues",
          topic);
    }
    String retryGroup = ScheduleRewrite.groupOfRetryTopic(topic);
    try {
      if (retryGroup != null && ctx.subscriptionGroups().findOrCreate(retryGroup) == null) {
        return fail(Status.NOT_FOUND, "subscription group not exist, " + retryGroup, topic);
      }
    } catch (IOException e) {
      return fail(Status.ERROR, "cannot create subscription group: " + e, topic);
    }
    List<MessageToStore> messages = new ArrayList<>(c.messages().size());
    for (OutgoingMessage m : c.messages()) {
      messages.add(
          new MessageToStore(
              topic,
              queueId,
              m.flag(),
              m.body(),
              withBrokerProperties(m.properties() == null ? "" : m.properties()),
              c.sysFlag(),
              m.bornTimestamp(),
              c.bornHost(),
              ctx.storeHost(),
              m.reconsumeTimes(),
              0L));
    }
    QueueRules limits = rules;
    if (limits != null && c.routing() == null) {
      SendResult full = limits.admit(topic, c.messages().get(0).body().length);
      if (full != null) {
        return CompletableFuture.completedFuture(full);
      }
    }
    CompletableFuture<AppendResult> future;
    if (c.batch()) {
      future = ctx.store().appendBatch(messages);
    } else {
      try {
        messages = List.of(divert(messages.get(0), c.maxReconsumeTimes()));
      } catch (TimerRewrite.InvalidTimerException e) {
        log.warn("Rejected a timer message to {} from {}: {}", topic, c.bornHost(), e.getMessage());
        return fail(
            ctx.config().timerWheelEnable() ? Status.ILLEGAL : Status.FORBIDDEN,
            e.getMessage(),
            topic);
      } catch (IOException e) {
        log.error("Cannot divert a message of {}", topic, e);
        return fail(Status.ERROR, e.getMessage(), topic);
      }
      future = ctx.store().append(messages.get(0));
    }
    List<MessageToStore> stored = messages;
    int finalQueueId = queueId;
    return future.thenApply(
        r -> {
          if (limits != null && r.isOk()) {
            limits.stored(topic, finalQueueId, r.queueOffset() + stored.size());
          }
          return result(topic, finalQueueId, r, stored);
        });
  }

  /**
   * Waits until every routed send that had already chosen its target queues is stored and
   * dispatched, so that deleting a queue's consume queues afterwards is final: a publish routed
   * before the delete cannot make them again (docs/rabbitmq.md, "Routing"). False on timeout.
   */
  boolean awaitRoutedSends(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long stamp = routedInFlight.tryWriteLock(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (stamp == 0) {
      return false;
    }
    routedInFlight.unlockWrite(stamp);
    return ctx.store().awaitDispatched(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  /**
   * A publish to an exchange (or a send to a topic that is one): the records {@link RoutedSends}
   * plans, diverted like any single message (delays, timers, half messages) and stored together.
   */
  private CompletableFuture<SendResult> sendRouted(SendCommand c, Routing routing) {
    if (c.messages().isEmpty()) {
      return fail(Status.ILLEGAL, "no message to send", c.topic());
    }
    if (!c.batch() && c.messages().size() != 1) {
      return fail(Status.ILLEGAL, "a single send carries exactly one message", c.topic());
    }
    List<String> properties = new ArrayList<>(c.messages().size());
    for (OutgoingMessage m : c.messages()) {
      properties.add(withBrokerProperties(m.properties() == null ? "" : m.properties()));
    }
    RoutedSends.Plan plan;
    List<MessageToStore> records = new ArrayList<>();
    try {
      plan = routed.plan(c, routing, properties);
      if (plan.status() != Status.OK) {
        return fail(plan.status(), plan.detail(), plan.topic());
      }
      if (plan.records().size() > 1
          && !c.batch()
          && TransactionService.isHalf(plan.records().get(0))) {
        // A transaction enlists one stored record per message (docs/rabbitmq.md, "Routing").
        return fail(
            Status.TOO_LARGE,
            "a transactional publish reaching this many queues does not fit one record",
            plan.topic());
      }
      for (MessageToStore m : plan.records()) {
        records.add(c.batch() ? m : divert(m, c.maxReconsumeTimes()));
      }
    } catch (TimerRewrite.InvalidTimerException e) {
      log.warn(
          "Rejected a timer message to {} from {}: {}", c.topic(), c.bornHost(), e.getMessage());
      return fail(
          ctx.config().timerWheelEnable() ? Status.ILLEGAL : Status.FORBIDDEN,
          e.getMessage(),
          c.topic());
    } catch (IllegalArgumentException e) {
      // A routing key or typed properties the record cannot hold (separator characters, a
      // malformed WHARF_TYPES): the publisher's mistake.
      log.warn(
          "Refused a publish to exchange {} from {}: {}",
          routing.exchange(),
          c.bornHost(),
          e.getMessage());
      return fail(Status.ILLEGAL, e.getMessage(), c.topic());
    } catch (IOException e) {
      log.error("Cannot store a message published to exchange {}", routing.exchange(), e);
      return fail(Status.ERROR, e.getMessage(), c.topic());
    }
    CompletableFuture<AppendResult> future =
        records.size() == 1 ? ctx.store().append(records.get(0)) : ctx.store().appendBatch(records);
    QueueRules limits = rules;
    return future.thenApply(
        r -> {
          if (r.isOk() && limits != null) {
            for (MessageToStore m : records) {
              for (String t : RoutedSends.targetTopics(m)) {
                limits.stored(t, -1, -1); // drop-head of the queues it reached
              }
            }
          }
          if (r.isOk() && plan.full() != null) {
            return plan.full(); // a reject-publish queue refused it; the others have it
          }
          SendResult sent = result(plan.topic(), plan.queueId(), r, records);
          return dispatched(records.get(0)) ? withoutQueueOffset(sent) : sent;
        });
  }

  /**
   * A routed send's answer when its record lists targets: the topic and queue id of its (first)
   * record, queue offset -1 (a record reaching several queues has no one offset of its own), one
   * message id per stored record (docs/rabbitmq.md, "Routing"). A parked record (delay, timer,
   * transaction half) keeps its own queue offset, which the transaction's commit needs.
   */
  private static boolean dispatched(MessageToStore m) {
    return MessageProperties.find(m.properties(), MessageProperties.DISPATCH) != null;
  }

  private static SendResult withoutQueueOffset(SendResult r) {
    return !r.isOk()
        ? r
        : new SendResult(
            r.status(),
            r.detail(),
            r.topic(),
            r.queueId(),
            -1,
            r.messageIds(),
            r.uniqueId(),
            r.storedTopic());
  }

  /**
   * Where a single message really goes: a retry message past its max reconsume times (or of a group
   * consuming orderly) to the group's DLQ, a half message to the half topic, a message with a delay
   * level or timer to the schedule or timer topic.
   */
  private MessageToStore divert(MessageToStore m, int maxReconsumeTimes)
      throws IOException, TimerRewrite.InvalidTimerException {
    String group = ScheduleRewrite.groupOfRetryTopic(m.topic());
    if (group != null) {
      int max = maxReconsumeTimes >= 0 ? maxReconsumeTimes : groups.maxReconsumeTimes(group);
      // As RocketMQ: a group holding live queue locks consumes orderly; its client sends a
      // message back only once its own retries are used up, so it goes to the DLQ at once.
      boolean orderly = ctx.queueLocks().hasLiveLock(group);
      if (m.reconsumeTimes() > max || orderly) {
        String dlq = ScheduleRewrite.DLQ_PREFIX + group;
        if (ctx.topics().get(dlq) == null) {
          ctx.topics().createIfAbsent(dlq, 1, TopicConfig.PERM_READ | TopicConfig.PERM_WRITE);
          ctx.topicsChanged().run(); // so tools and DLQ readers find its route
        }
        Map<String, String> props = MessageProperties.decode(m.properties());
        props.remove(ScheduleRewrite.DELAY);
        log.info(
            "Message of group {} (reconsume times {}, max {}, orderly {}): to {}",
            group,
            m.reconsumeTimes(),
            max,
            orderly,
            dlq);
        return ScheduleRewrite.withTopic(m, dlq, 0, MessageProperties.encode(props));
      }
    }
    if (TransactionService.isHalf(m)) {
      return TransactionService.toHalf(m);
    }
    return delivery.apply(m);
  }

  private TopicConfig resolveTopic(String topic, boolean autoCreate, TopicTemplate template)
      throws IOException {
    TopicConfig config = ctx.topics().get(topic);
    if (config != null || !autoCreate) {
      return config;
    }
    if (template != null) {
      config = ctx.topics().createOnSend(topic, template.defaultTopic(), template.queueNums());
    } else {
      config =
          ctx.topics()
              .createIfAbsent(
                  topic,
                  ctx.config().defaultTopicQueueNums(),
                  TopicConfig.PERM_READ | TopicConfig.PERM_WRITE);
    }
    if (config != null) {
      log.info(
          "Auto-created topic {} with {} queues on first send", topic, config.writeQueueNums());
      // Registered in the background, never before the answer: a slow or unreachable name server
      // must not turn the first send to a topic into a client timeout (and a duplicate when the
      // client retries). The registration starts now, before the append, so a consumer started
      // after the answer finds the route in all but a pathological case; until then the producer
      // keeps sending through the default topic's route, as it did for this send.
      ctx.topicsChanged().run();
    }
    return config;
  }

  /**
   * The producer's properties plus MSG_REGION and TRACE_ON, which RocketMQ's broker stores with
   * every message: a tracing consumer (enableMsgTrace) writes no trace record for a message without
   * MSG_REGION and none for one whose TRACE_ON is "false". A producer's own values are replaced, as
   * RocketMQ does. A producer's multi-dispatch properties ({@link MessageProperties#DISPATCH}, its
   * parked and source names) are dropped at every door: only the broker's routing fans a record
   * out.
   */
  private String withBrokerProperties(String properties) {
    String region = ctx.config().regionId();
    String traceOn = String.valueOf(ctx.config().traceOn());
    if (properties.contains(MessageProperties.MSG_REGION)
        || properties.contains(MessageProperties.TRACE_ON)
        || properties.contains("DISPATCH")) {
      Map<String, String> props = MessageProperties.decode(properties);
      props.remove(MessageProperties.DISPATCH);
      props.remove(MessageProperties.REAL_DISPATCH);
      props.remove(MessageProperties.DISPATCH_SOURCE);
      props.put(MessageProperties.MSG_REGION, region);
      props.put(MessageProperties.TRACE_ON, traceOn);
      return MessageProperties.encode(props);
    }
    StringBuilder b = new StringBuilder(properties.length() + 40).append(properties);
    if (!properties.isEmpty()
        && properties.charAt(properties.length() - 1) != MessageProperties.PROPERTY_SEPARATOR) {
      b.append(MessageProperties.PROPERTY_SEPARATOR);
    }
    return b.append(MessageProperties.MSG_REGION)
        .append(MessageProperties.NAME_VALUE_SEPARATOR)
        .append(region)
        .append(MessageProperties.PROPERTY_SEPARATOR)
        .append(MessageProperties.TRACE_ON)
        .append(MessageProperties.NAME_VALUE_SEPARATOR)
        .append(traceOn)
        .append(MessageProperties.PROPERTY_SEPARATOR)
        .toString();
  }

  private SendResult result(
      String topic, int queueId, AppendResult r, List<MessageToStore> messages) {
    if (!r.isOk()) {
      return SendResult.fail(status(r), r.status() + ": " + r.detail(), topic);
    }
    ctx.stats().stored(topic, messages.size());
    long[] offsets = r.physicalOffsets();
    List<String> ids = new ArrayList<>(offsets.length);
    for (long offset : offsets) {
      ids.add(MessageIds.offsetMessageId(ctx.storeHost(), offset));
    }
    String uniq = MessageProperties.find(messages.get(0).properties(), MessageProperties.UNIQ_KEY);
    return new SendResult(
        Status.OK, null, topic, queueId, r.queueOffset(), ids, uniq, messages.get(0).topic());
  }

  static Status status(AppendResult r) {
    return switch (r.status()) {
      case OK -> Status.OK;
      case BUSY -> Status.BUSY;
      case DISK_FULL -> Status.DISK_FULL;
      case STORE_CLOSED -> Status.UNAVAILABLE;
      case MESSAGE_TOO_LARGE, PROPERTIES_TOO_LARGE -> Status.TOO_LARGE;
      case TOPIC_INVALID, DISPATCH_INVALID -> Status.ILLEGAL;
      case IO_ERROR -> Status.ERROR;
    };
  }

  private static CompletableFuture<SendResult> fail(Status status, String detail, String topic) {
    return CompletableFuture.completedFuture(SendResult.fail(status, detail, topic));
  }
}
