package io.wharfmq.jms;

import jakarta.jms.Topic;

/** A JMS topic: stored as the topic of its name, one consumer group per subscription. */
public sealed class WharfTopic extends WharfDestination implements Topic
    permits WharfTemporaryTopic {
  private static final long serialVersionUID = 1L;

  public WharfTopic(String name) {
    super(name);
  }

  @Override
  public String getTopicName() {
    return name();
  }

  @Override
  public boolean isQueue() {
    return false;
  }

  @Override
  public String toString() {
    return "topic://" + name();
  }
}
