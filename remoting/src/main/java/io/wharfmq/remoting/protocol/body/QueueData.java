package io.wharfmq.remoting.protocol.body;

/** One broker's queues of a topic in a route (RocketMQ QueueData). */
public record QueueData(
    String brokerName, int readQueueNums, int writeQueueNums, int perm, int topicSysFlag) {}
