package io.wharfmq.broker.processor;

import io.wharfmq.broker.lock.QueueLockManager;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.LockBatchBody;
import io.wharfmq.remoting.protocol.body.LockBatchResult;
import java.util.Set;

/** LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) for orderly consumers. Thread-safe. */
public final class QueueLockProcessor implements RequestProcessor {
  private final QueueLockManager locks;

  public QueueLockProcessor(QueueLockManager locks) {
    this.locks = locks;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    LockBatchBody body;
    try {
      body = RemotingJson.decode(request.body(), LockBatchBody.class);
    } catch (IllegalArgumentException e) {
      throw new Headers.BadRequestException(e.getMessage());
    }
    if (body.consumerGroup() == null || body.clientId() == null) {
      throw new Headers.BadRequestException("lock body needs consumerGroup and clientId");
    }
    Set<io.wharfmq.remoting.protocol.body.MessageQueue> queues =
        body.mqSet() == null ? Set.of() : body.mqSet();
    if (request.code() == RequestCode.LOCK_BATCH_MQ) {
      Set<io.wharfmq.remoting.protocol.body.MessageQueue> held =
          locks.lock(body.consumerGroup(), body.clientId(), queues);
      return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
          .body(RemotingJson.encode(new LockBatchResult(held)));
    }
    locks.unlock(body.consumerGroup(), body.clientId(), queues);
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }
}
