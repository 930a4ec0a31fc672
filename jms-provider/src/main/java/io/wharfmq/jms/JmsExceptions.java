package io.wharfmq.jms;

import io.wharfmq.client.ClientException;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.JMSException;
import jakarta.jms.ResourceAllocationException;

/** Turns native client failures into the JMS exception types the specification names. */
final class JmsExceptions {
  /** RocketMQ's SUBSCRIPTION_PARSE_FAILED: a selector the broker cannot parse. */
  private static final int SUBSCRIPTION_PARSE_FAILED = 23;

  /** RocketMQ's busy answers (SYSTEM_BUSY, flush or disk trouble): the broker is out of room. */
  private static final int SYSTEM_BUSY = 2;

  private JmsExceptions() {}

  static JMSException of(String what, Throwable cause) {
    JMSException e;
    if (cause instanceof ClientException ce && ce.code() == SUBSCRIPTION_PARSE_FAILED) {
      e = new InvalidSelectorException(what + ": " + cause.getMessage());
    } else if (cause instanceof ClientException ce && ce.code() == SYSTEM_BUSY) {
      e = new ResourceAllocationException(what + ": " + cause.getMessage());
    } else {
      e = new JMSException(what + ": " + (cause == null ? "" : cause.getMessage()));
    }
    if (cause instanceof Exception ex) {
      e.setLinkedException(ex);
    }
    e.initCause(cause);
    return e;
  }
}
