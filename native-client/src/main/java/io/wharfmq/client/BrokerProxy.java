package io.wharfmq.client;

import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.netty.RemotingException;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.ConsumerIdList;
import io.wharfmq.remoting.protocol.body.HeartbeatData;
import io.wharfmq.remoting.protocol.body.LockBatchBody;
import io.wharfmq.remoting.protocol.body.LockBatchResult;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Encodes the client-side broker requests (offsets, heartbeats, membership, pulls, send-back, queue
 * locks, transaction ends) and decodes their answers; see docs/protocol.md and the RocketMQ
 * reference section 2.3. Calls other than {@link #pull} block for at most the request timeout.
 * Thread-safe.
 */
final class BrokerProxy {
  /** Pull sysFlag bits (RocketMQ PullSysFlag). */
  static final int PULL_COMMIT_OFFSET = 0x1;

  static final int PULL_SUSPEND = 0x2;
  static final int PULL_SUBSCRIPTION = 0x4;
  static final int PULL_LITE = 0x10;

  private final RemotingClient remoting;
  private final long timeoutMillis;

  BrokerProxy(RemotingClient remoting, long timeoutMillis) {
    this.remoting = remoting;
    this.timeoutMillis = timeoutMillis;
  }

  RemotingClient remoting() {
    return remoting;
  }

  /** A request answered within the timeout; a transport failure is a ClientException. */
  RemotingCommand call(String address, RemotingCommand request) {
    try {
      return remoting.invokeSync(address, request, timeoutMillis);
    } catch (RemotingException e) {
      throw new ClientException("request " + request.code() + " to " + address + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientException("interrupted during request " + request.code(), e);
    }
  }

  /**
   * Sends asynchronously; a transport failure completes the future exceptionally with a
   * ClientException "{@code what} failed". Shared by pulls and POP requests.
   */
  static CompletableFuture<RemotingCommand> invokeAsync(
      RemotingClient remoting,
      String address,
      RemotingCommand request,
      long timeoutMillis,
      String what) {
    return remoting
        .invokeAsync(address, request, timeoutMillis)
        .handle(
            (r, e) -> {
              if (e != null) {
                throw ClientException.transport(what + " failed", e);
              }
              return r;
            });
  }

  /** {@code r} if it is SUCCESS; else a ClientException with its code and remark. */
  static RemotingCommand expect(RemotingCommand r, String what) {
    if (r.code() != ResponseCode.SUCCESS) {
      throw new ClientException(r.code(), what + " failed: " + r.code() + " " + r.remark());
    }
    return r;
  }

  private static RemotingCommand queueRequest(int code, MessageQueue mq) {
    return RemotingCommand.request(code)
        .put("topic", mq.topic())
        .put("queueId", mq.queueId())
        .put("bname", mq.brokerName());
  }

  /**
   * The group's committed offset, or -1 if it has none (QUERY_NOT_FOUND). With {@code
   * zeroIfNotFound}, a broker answers 0 for a queue that still holds its first message (RocketMQ's
   * rule for new groups); without, it says QUERY_NOT_FOUND.
   */
  long queryConsumerOffset(String address, String group, MessageQueue mq, boolean zeroIfNotFound) {
    RemotingCommand r =
        call(
            address,
            queueRequest(RequestCode.QUERY_CONSUMER_OFFSET, mq)
                .put("consumerGroup", group)
                .put("setZeroIfNotFound", zeroIfNotFound ? null : "false"));
    if (r.code() == ResponseCode.QUERY_NOT_FOUND) {
      return -1;
    }
    return Long.parseLong(expect(r, "QUERY_CONSUMER_OFFSET").get("offset"));
  }

  void updateConsumerOffset(
      String address, String group, MessageQueue mq, long offset, boolean oneway) {
    RemotingCommand request =
        queueRequest(RequestCode.UPDATE_CONSUMER_OFFSET, mq)
            .put("consumerGroup", group)
            .put("commitOffset", offset);
    if (oneway) {
      try {
        remoting.invokeOneway(address, request);
      } catch (RemotingException e) {
        throw new ClientException("offset commit to " + address + " failed", e);
      }
    } else {
      expect(call(address, request), "UPDATE_CONSUMER_OFFSET");
    }
  }

  long maxOffset(String address, MessageQueue mq) {
    RemotingCommand r =
        call(address, queueRequest(RequestCode.GET_MAX_OFFSET, mq).put("committed", true));
    return Long.parseLong(expect(r, "GET_MAX_OFFSET").get("offset"));
  }

  long searchOffset(String address, MessageQueue mq, long timestampMillis) {
    RemotingCommand r =
        call(
            address,
            queueRequest(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, mq)
                .put("timestamp", timestampMillis)
                .put("boundaryType", "LOWER"));
    return Long.parseLong(expect(r, "SEARCH_OFFSET_BY_TIMESTAMP").get("offset"));
  }

  /** The client ids of a group's members as one broker knows them (unsorted). */
  List<String> consumerIds(String address, String group) {
    RemotingCommand r =
        call(
            address,
            RemotingCommand.request(RequestCode.GET_CONSUMER_LIST_BY_GROUP)
                .put("consumerGroup", group));
    expect(r, "GET_CONSUMER_LIST_BY_GROUP");
    ConsumerIdList ids = RemotingJson.decode(r.body(), ConsumerIdList.class);
    return ids.consumerIdList() == null ? List.of() : ids.consumerIdList();
  }

  void heartbeat(String address, HeartbeatData data) {
    expect(
        call(
            address,
            RemotingCommand.request(RequestCode.HEART_BEAT).body(RemotingJson.encode(data))),
        "HEART_BEAT");
  }

  void unregister(String address, String clientId, String producerGroup, String consumerGroup) {
    expect(
        call(
            address,
            RemotingCommand.request(RequestCode.UNREGISTER_CLIENT)
                .put("clientID", clientId)
                .put("producerGroup", producerGroup)
                .put("consumerGroup", consumerGroup)),
        "UNREGISTER_CLIENT");
  }

  /**
   * CONSUMER_SEND_MSG_BACK: the broker stores a copy of {@code m} in the group's retry topic,
   * delayed by {@code delayLevel} (0: the broker's 3 + reconsumeTimes), or in its dead-letter topic
   * once reconsumeTimes reaches {@code maxReconsumeTimes} or when {@code delayLevel} is negative.
   */
  void sendBack(String address, String group, MessageView m, int delayLevel, int maxReconsume) {
    RemotingCommand request =
        RemotingCommand.request(RequestCode.CONSUMER_SEND_MSG_BACK)
            .put("offset", m.commitLogOffset())
            .put("group", group)
            .put("delayLevel", delayLevel)
            .put("originMsgId", m.msgId())
            .put("originTopic", m.topic())
            .put("unitMode", false)
            .put("maxReconsumeTimes", maxReconsume)
            .put("bname", m.queue().brokerName());
    expect(call(address, request), "CONSUMER_SEND_MSG_BACK");
  }

  private static LockBatchBody lockBody(String group, String clientId, Set<MessageQueue> queues) {
    Set<io.wharfmq.remoting.protocol.body.MessageQueue> wire = new HashSet<>();
    for (MessageQueue mq : queues) {
      wire.add(
          new io.wharfmq.remoting.protocol.body.MessageQueue(
              mq.topic(), mq.brokerName(), mq.queueId()));
    }
    return new LockBatchBody(group, clientId, wire, false);
  }

  /** LOCK_BATCH_MQ: locks (or renews) what it can; returns the queues this client now holds. */
  Set<MessageQueue> lockBatch(
      String address, String group, String clientId, Set<MessageQueue> queues) {
    RemotingCommand r =
        call(
            address,
            RemotingCommand.request(RequestCode.LOCK_BATCH_MQ)
                .body(RemotingJson.encode(lockBody(group, clientId, queues))));
    expect(r, "LOCK_BATCH_MQ");
    LockBatchResult result = RemotingJson.decode(r.body(), LockBatchResult.class);
    Set<MessageQueue> held = new HashSet<>();
    if (result.lockOKMQSet() != null) {
      for (io.wharfmq.remoting.protocol.body.MessageQueue q : result.lockOKMQSet()) {
        held.add(new MessageQueue(q.topic(), q.brokerName(), q.queueId()));
      }
    }
    return held;
  }

  /** UNLOCK_BATCH_MQ, acknowledged. */
  void unlockBatch(String address, String group, String clientId, Set<MessageQueue> queues) {
    expect(
        call(
            address,
            RemotingCommand.request(RequestCode.UNLOCK_BATCH_MQ)
                .body(RemotingJson.encode(lockBody(group, clientId, queues)))),
        "UNLOCK_BATCH_MQ");
  }

  /** The fields of END_TRANSACTION. */
  record TransactionEnd(
      String topic,
      String producerGroup,
      long halfQueueOffset,
      long commitLogOffset,
      int commitOrRollback,
      boolean fromCheck,
      String msgId,
      String transactionId,
      String brokerName) {}

  /** END_TRANSACTION, oneway as the RocketMQ client sends it; {@code remark} may be null. */
  void endTransaction(String address, TransactionEnd e, String remark) {
    RemotingCommand request =
        RemotingCommand.request(RequestCode.END_TRANSACTION)
            .put("topic", e.topic())
            .put("producerGroup", e.producerGroup())
            .put("tranStateTableOffset", e.halfQueueOffset())
            .put("commitLogOffset", e.commitLogOffset())
            .put("commitOrRollback", e.commitOrRollback())
            .put("fromTransactionCheck", e.fromCheck())
            .put("msgId", e.msgId())
            .put("transactionId", e.transactionId())
            .put("bname", e.brokerName())
            .remark(remark)
            .markOneway();
    try {
      remoting.invokeOneway(address, request);
    } catch (RemotingException ex) {
      throw new ClientException("END_TRANSACTION to " + address + " failed", ex);
    }
  }

  /** What to pull. */
  record PullSpec(
      int code,
      String group,
      MessageQueue queue,
      long offset,
      int maxMsgNums,
      int sysFlag,
      long commitOffset,
      long suspendTimeoutMillis,
      String subscription,
      long subVersion) {}

  /**
   * Pulls asynchronously; the future completes on a Netty thread with a result, or exceptionally
   * with a ClientException (error code or transport failure).
   */
  CompletableFuture<PullResult> pull(String address, PullSpec s, long callTimeoutMillis) {
    RemotingCommand request =
        queueRequest(s.code(), s.queue())
            .put("consumerGroup", s.group())
            .put("queueOffset", s.offset())
            .put("maxMsgNums", s.maxMsgNums())
            .put("sysFlag", s.sysFlag())
            .put("commitOffset", s.commitOffset())
            .put("suspendTimeoutMillis", s.suspendTimeoutMillis())
            .put("subscription", s.subscription())
            .put("subVersion", s.subVersion())
            .put("expressionType", "TAG")
            .put("maxMsgBytes", Integer.MAX_VALUE);
    return invokeAsync(remoting, address, request, callTimeoutMillis, "pull from " + address)
        .thenApply(r -> pullResult(r, s.queue().brokerName()));
  }

  private static PullResult pullResult(RemotingCommand r, String brokerName) {
    PullResult.Status status =
        switch (r.code()) {
          case ResponseCode.SUCCESS -> PullResult.Status.FOUND;
          case ResponseCode.PULL_NOT_FOUND -> PullResult.Status.NO_NEW_MSG;
          case ResponseCode.PULL_RETRY_IMMEDIATELY -> PullResult.Status.NO_MATCHED_MSG;
          case ResponseCode.PULL_OFFSET_MOVED -> PullResult.Status.OFFSET_ILLEGAL;
          default ->
              throw new ClientException(r.code(), "pull failed: " + r.code() + " " + r.remark());
        };
    return new PullResult(
        status,
        Long.parseLong(r.get("nextBeginOffset")),
        Long.parseLong(r.get("minOffset")),
        Long.parseLong(r.get("maxOffset")),
        status == PullResult.Status.FOUND ? RecordDecoder.decode(r.body(), brokerName) : List.of());
  }
}
