package io.wharfmq.remoting.protocol.body;

/**
 * The body of QUERY_ASSIGNMENT (400): which queues of {@code topic} should client {@code clientId}
 * of {@code consumerGroup} consume. {@code messageModel} is CLUSTERING or BROADCASTING.
 */
public record QueryAssignmentRequestBody(
    String topic,
    String consumerGroup,
    String clientId,
    String strategyName,
    String messageModel) {}
