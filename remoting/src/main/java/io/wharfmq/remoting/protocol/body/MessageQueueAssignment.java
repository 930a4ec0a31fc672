package io.wharfmq.remoting.protocol.body;

import java.util.Map;

/**
 * One assigned queue and how to read it: {@code mode} PULL (own the queue, pull by offset) or POP
 * (share it, pop and ack per message). A POP assignment's queueId -1 means every queue of the
 * broker.
 */
public record MessageQueueAssignment(
    MessageQueue messageQueue, String mode, Map<String, String> attachments) {}
