package io.wharfmq.client;

/**
 * The outcome of a send. Immutable.
 *
 * @param status how durably the message was stored
 * @param msgId the client-generated id (UNIQ_KEY, 32 hex characters); for a batch, the ids of its
 *     messages joined by commas
 * @param offsetMsgId the broker's id (store address + commit-log offset); comma-joined for a batch
 * @param queue where the message went
 * @param queueOffset its logical offset in the queue (for a batch: the first message's)
 */
public record SendResult(
    SendStatus status, String msgId, String offsetMsgId, MessageQueue queue, long queueOffset) {}
