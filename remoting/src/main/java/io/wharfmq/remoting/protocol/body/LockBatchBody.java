package io.wharfmq.remoting.protocol.body;

import java.util.Set;

/** The body of LOCK_BATCH_MQ and UNLOCK_BATCH_MQ requests. */
public record LockBatchBody(
    String consumerGroup, String clientId, Set<MessageQueue> mqSet, boolean onlyThisBroker) {}
