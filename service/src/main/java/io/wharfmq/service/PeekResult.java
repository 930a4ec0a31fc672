package io.wharfmq.service;

import java.util.List;

/**
 * What a peek saw.
 *
 * @param next where the next peek continues
 */
public record PeekResult(
    Status status, String detail, List<ReceivedMessage> messages, PeekPosition next) {}
