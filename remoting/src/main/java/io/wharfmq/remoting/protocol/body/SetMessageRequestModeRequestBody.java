package io.wharfmq.remoting.protocol.body;

/**
 * The body of SET_MESSAGE_REQUEST_MODE (401): group {@code consumerGroup} reads {@code topic} in
 * {@code mode} PULL or POP; {@code popShareQueueNum} is RocketMQ's sharing knob (Wharf shares every
 * queue with every POP consumer and ignores it).
 */
public record SetMessageRequestModeRequestBody(
    String topic, String consumerGroup, String mode, int popShareQueueNum) {}
