package io.wharfmq.service;

/**
 * A queue and what it holds now.
 *
 * @param topic the topic that stores it
 * @param messageCount messages ready or in flight, not yet finished
 * @param consumerCount consumers the service knows of (a door adds its own links)
 */
public record QueueInfo(QueueSpec spec, String topic, long messageCount, int consumerCount) {}
