package io.wharfmq.store.queue;

/**
 * One consume-queue entry.
 *
 * @param queueOffset logical offset in the queue
 * @param physicalOffset commit-log offset of the record
 * @param size record size
 * @param tagsCode hash of the TAGS property (0 without tag)
 */
public record ConsumeQueueEntry(long queueOffset, long physicalOffset, int size, long tagsCode) {}
