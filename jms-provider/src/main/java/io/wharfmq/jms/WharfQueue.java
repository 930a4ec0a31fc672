package io.wharfmq.jms;

import jakarta.jms.Queue;

/** A JMS queue: stored as the topic of its name, consumed by the queue's one consumer group. */
public sealed class WharfQueue extends WharfDestination implements Queue
    permits WharfTemporaryQueue {
  private static final long serialVersionUID = 1L;

  public WharfQueue(String name) {
    super(name);
  }

  @Override
  public String getQueueName() {
    return name();
  }

  @Override
  public boolean isQueue() {
    return true;
  }

  @Override
  public String toString() {
    return "queue://" + name();
  }
}
