package io.wharfmq.jms;

import jakarta.jms.JMSException;
import jakarta.jms.TemporaryQueue;

/**
 * A temporary queue: lives as long as the connection that created it, only that connection may
 * consume from it. A copy that travelled in JMSReplyTo has no owner: it can be sent to, not
 * deleted.
 */
public final class WharfTemporaryQueue extends WharfQueue implements TemporaryQueue {
  private static final long serialVersionUID = 1L;

  private final transient TemporaryDestinations owner;

  public WharfTemporaryQueue(String name) {
    this(name, null);
  }

  WharfTemporaryQueue(String name, TemporaryDestinations owner) {
    super(name);
    this.owner = owner;
  }

  TemporaryDestinations owner() {
    return owner;
  }

  @Override
  public boolean isTemporary() {
    return true;
  }

  @Override
  public void delete() throws JMSException {
    if (owner == null) {
      throw new jakarta.jms.IllegalStateException(
          "only the connection that created " + this + " can delete it");
    }
    owner.deleteTemporary(this);
  }

  @Override
  public String toString() {
    return "temp-queue://" + name();
  }
}
