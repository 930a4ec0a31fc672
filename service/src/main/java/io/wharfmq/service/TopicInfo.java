package io.wharfmq.service;

/**
 * A topic as the service sees it.
 *
 * @param readQueues queues consumers read (ids 0..readQueues-1)
 * @param writeQueues queues producers write
 * @param readable whether reads are permitted
 * @param writable whether writes are permitted
 * @param system whether it is one of the broker's system topics
 */
public record TopicInfo(
    String name,
    int readQueues,
    int writeQueues,
    boolean readable,
    boolean writable,
    boolean system) {}
