package io.wharfmq.remoting.protocol.body;

import java.util.Set;

/** The body of a LOCK_BATCH_MQ response. */
public record LockBatchResult(Set<MessageQueue> lockOKMQSet) {}
