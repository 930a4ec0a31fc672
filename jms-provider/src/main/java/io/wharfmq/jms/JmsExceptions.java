package io.wharfmq.jms;

import io.wharfmq.client.ClientException;
import io.wharfmq.remoting.protocol.ResponseCode;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.ResourceAllocationException;

/** Turns native client failures into the JMS exception types the specification names. */
final class JmsExceptions {
  private JmsExceptions() {}

  static JMSException of(String what, Throwable cause) {
    JMSException e;
    if (cause instanceof ClientException ce && ce.code() == ClientException.BAD_SELECTOR) {
      e = new InvalidSelectorException(what + ": " + cause.getMessage());
    } else if (cause instanceof ClientException ce && ce.code() == ResponseCode.NO_PERMISSION) {
      e = new JMSSecurityException(what + ": " + cause.getMessage());
    } else if (cause instanceof ClientException ce && ce.code() == ResponseCode.SYSTEM_BUSY) {
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
