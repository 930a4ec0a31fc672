package io.wharfmq.jms;

import jakarta.jms.Destination;
import java.io.Serializable;
import java.util.Objects;

/**
 * A JMS destination of Wharf: a queue or a topic, by its JMS name. The name maps to a RocketMQ
 * topic as for the AMQP door ({@code DestinationNames.topic}, docs/mapping.md), so a Qpid JMS
 * client and a RocketMQ client reach the same destination. Immutable; serializable so that it can
 * be bound in JNDI.
 */
public abstract sealed class WharfDestination implements Destination, Serializable
    permits WharfQueue, WharfTopic {
  private static final long serialVersionUID = 1L;

  private final String name;

  WharfDestination(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a destination needs a name");
    }
    this.name = name;
  }

  /** The JMS name (queue or topic name). */
  public String name() {
    return name;
  }

  /** True for a queue (point to point), false for a topic. */
  public abstract boolean isQueue();

  /** True for a temporary queue or topic. */
  public boolean isTemporary() {
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && ((WharfDestination) o).name.equals(name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(getClass(), name);
  }
}
