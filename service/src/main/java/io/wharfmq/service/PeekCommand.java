package io.wharfmq.service;

/**
 * Read without taking.
 *
 * @param after the position the previous peek returned, or null to start at the group's first
 *     unfinished message
 * @param filterType how {@code expression} is read
 */
public record PeekCommand(
    String group,
    String topic,
    int max,
    FilterType filterType,
    String expression,
    PeekPosition after) {}
