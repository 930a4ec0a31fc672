package io.wharfmq.jms;

import io.wharfmq.jms.jndi.WharfObjectFactory;
import jakarta.jms.Destination;
import java.io.Serializable;
import java.util.Objects;
import javax.naming.Reference;
import javax.naming.Referenceable;
import javax.naming.StringRefAddr;

/**
 * A JMS destination of Wharf: a queue or a topic, by its JMS name. The name maps to a RocketMQ
 * topic as for the AMQP door ({@code DestinationNames.topic}, docs/mapping.md), so a Qpid JMS
 * client and a RocketMQ client reach the same destination. Immutable; serializable and
 * referenceable so that it can be bound in JNDI.
 */
public abstract sealed class WharfDestination implements Destination, Serializable, Referenceable
    permits WharfQueue, WharfTopic {
  private static final long serialVersionUID = 1L;

  /** The Reference address type of the name, read back by {@link WharfObjectFactory}. */
  public static final String REF_NAME = "name";

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

  /**
   * The class and the name; {@link WharfObjectFactory} makes an equal destination from it (a
   * temporary one without its owner, as a copy that travelled in JMSReplyTo).
   */
  @Override
  public Reference getReference() {
    Reference ref = new Reference(getClass().getName(), WharfObjectFactory.class.getName(), null);
    ref.add(new StringRefAddr(REF_NAME, name));
    return ref;
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
