package io.wharfmq.service;

/**
 * Read from one queue at an offset (RocketMQ pull).
 *
 * @param max messages at most
 * @param pollMillis how long to wait when nothing is there (0: answer at once)
 */
public record PullCommand(
    String group,
    String topic,
    int queueId,
    long offset,
    int max,
    long pollMillis,
    FilterType filterType,
    String expression) {}
