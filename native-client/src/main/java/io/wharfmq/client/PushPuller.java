package io.wharfmq.client;

import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-poll pull loop of a push consumer: one outstanding PULL_MESSAGE per assigned queue
 * (sysFlag 2, plus 1 with the commit offset in clustering; held by the broker up to 15 s; call
 * timeout 30 s), client-side exact tag filtering, hand-off to the {@link ConsumeService}, and flow
 * control (pause a queue whose cache is too large). All of it runs on one pull thread. Thread-safe.
 */
final class PushPuller {
  private static final Logger log = LoggerFactory.getLogger(PushPuller.class);
  static final long SUSPEND_MILLIS = 15_000;
  static final long CALL_TIMEOUT_MILLIS = 30_000;
  private static final long ERROR_DELAY_MILLIS = 1_000;
  private static final long FLOW_CONTROL_DELAY_MILLIS = 50;
  private static final int PULL_BATCH = 32;

  /** Flow-control limits per queue. */
  record Limits(int maxCachedMessages, long maxCachedBytes, long maxOffsetSpan) {}

  private final ClientRuntime runtime;
  private final String group;
  private final boolean clustering;
  private final Map<String, Subscription> subscriptions;
  private final OffsetStore offsets;
  private final ConsumeService consume;
  private final Limits limits;
  private final ScheduledExecutorService thread;
  private final Runnable resubscribe;

  PushPuller(
      ClientRuntime runtime,
      String group,
      boolean clustering,
      Map<String, Subscription> subscriptions,
      OffsetStore offsets,
      ConsumeService consume,
      Limits limits,
      ScheduledExecutorService thread,
      Runnable resubscribe) {
    this.runtime = runtime;
    this.group = group;
    this.clustering = clustering;
    this.subscriptions = subscriptions;
    this.offsets = offsets;
    this.consume = consume;
    this.limits = limits;
    this.thread = thread;
    this.resubscribe = resubscribe;
  }

  void start(ProcessQueue pq) {
    later(pq, 0);
  }

  private void later(ProcessQueue pq, long delayMillis) {
    if (pq.isDropped()) {
      return;
    }
    try {
      thread.schedule(() -> pull(pq), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("Pull of {} not scheduled: shutting down", pq.queue);
    }
  }

  private boolean flowControlled(ProcessQueue pq) {
    return pq.cachedCount() >= limits.maxCachedMessages()
        || pq.cachedBytes() >= limits.maxCachedBytes()
        || pq.offsetSpan() >= limits.maxOffsetSpan();
  }

  private void pull(ProcessQueue pq) {
    if (pq.isDropped()) {
      return;
    }
    if (flowControlled(pq)) {
      later(pq, FLOW_CONTROL_DELAY_MILLIS);
      return;
    }
    Subscription sub = subscriptions.get(pq.queue.topic());
    String address = runtime.routes.masterAddress(pq.queue.brokerName());
    if (sub == null || address == null) {
      later(pq, ERROR_DELAY_MILLIS);
      return;
    }
    long commit = clustering ? offsets.read(pq.queue) : -1;
    int sysFlag = BrokerProxy.PULL_SUSPEND | (commit > 0 ? BrokerProxy.PULL_COMMIT_OFFSET : 0);
    BrokerProxy.PullSpec spec =
        new BrokerProxy.PullSpec(
            RequestCode.PULL_MESSAGE,
            group,
            pq.queue,
            pq.nextOffset(),
            PULL_BATCH,
            sysFlag,
            Math.max(commit, 0),
            SUSPEND_MILLIS,
            null,
            sub.subVersion());
    try {
      runtime
          .brokers
          .pull(address, spec, CALL_TIMEOUT_MILLIS)
          .whenCompleteAsync((r, e) -> onResult(pq, sub, r, e), thread);
    } catch (RejectedExecutionException e) {
      log.debug("Pull of {} abandoned: shutting down", pq.queue);
    }
  }

  private void onResult(ProcessQueue pq, Subscription sub, PullResult r, Throwable error) {
    if (pq.isDropped()) {
      return;
    }
    if (error != null) {
      Throwable cause = error.getCause() != null ? error.getCause() : error;
      log.debug("Pull of {} failed: {}", pq.queue, cause.toString());
      if (cause instanceof ClientException ce
          && (ce.code() == ResponseCode.SUBSCRIPTION_NOT_EXIST
              || ce.code() == ResponseCode.SUBSCRIPTION_NOT_LATEST)) {
        resubscribe.run();
      }
      later(pq, ERROR_DELAY_MILLIS);
      return;
    }
    switch (r.status()) {
      case FOUND -> {
        List<MessageView> matched = new ArrayList<>(r.messages().size());
        for (MessageView m : r.messages()) {
          if (sub.matches(m) && m.queueOffset() >= pq.nextOffset()) {
            matched.add(m);
          }
        }
        pq.add(matched, r.nextBeginOffset());
        if (!matched.isEmpty()) {
          consume.submit(pq, matched);
        }
      }
      case NO_NEW_MSG, NO_MATCHED_MSG -> pq.add(List.of(), r.nextBeginOffset());
      case OFFSET_ILLEGAL -> {
        log.warn(
            "Offset {} of {} is out of range [{}, {}); moving to {}",
            pq.nextOffset(),
            pq.queue,
            r.minOffset(),
            r.maxOffset(),
            r.nextBeginOffset());
        // As RocketMQ: adopt the broker's position and make it durable at once, so that a restart
        // does not ask for the illegal offset again. Messages already cached stay consumable.
        pq.add(List.of(), r.nextBeginOffset());
        offsets.update(pq.queue, pq.commitOffset());
        offsets.persist(List.of(pq.queue), false);
      }
    }
    pull(pq);
  }
}
