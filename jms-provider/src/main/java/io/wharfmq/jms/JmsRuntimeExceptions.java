package io.wharfmq.jms;

import jakarta.jms.IllegalStateException;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.InvalidClientIDException;
import jakarta.jms.InvalidClientIDRuntimeException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.InvalidDestinationRuntimeException;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.InvalidSelectorRuntimeException;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.JMSSecurityRuntimeException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageFormatRuntimeException;
import jakarta.jms.MessageNotWriteableException;
import jakarta.jms.MessageNotWriteableRuntimeException;
import jakarta.jms.ResourceAllocationException;
import jakarta.jms.ResourceAllocationRuntimeException;
import jakarta.jms.TransactionInProgressException;
import jakarta.jms.TransactionInProgressRuntimeException;
import jakarta.jms.TransactionRolledBackException;
import jakarta.jms.TransactionRolledBackRuntimeException;

/**
 * The simplified API's unchecked exceptions for the classic API's checked ones, type for type (JMS
 * 2.0 section 12.5); the checked exception is the cause. Stateless.
 */
final class JmsRuntimeExceptions {
  private JmsRuntimeExceptions() {}

  static JMSRuntimeException of(JMSException e) {
    String m = e.getMessage();
    String c = e.getErrorCode();
    if (e instanceof IllegalStateException) {
      return new IllegalStateRuntimeException(m, c, e);
    }
    if (e instanceof InvalidClientIDException) {
      return new InvalidClientIDRuntimeException(m, c, e);
    }
    if (e instanceof InvalidDestinationException) {
      return new InvalidDestinationRuntimeException(m, c, e);
    }
    if (e instanceof InvalidSelectorException) {
      return new InvalidSelectorRuntimeException(m, c, e);
    }
    if (e instanceof JMSSecurityException) {
      return new JMSSecurityRuntimeException(m, c, e);
    }
    if (e instanceof MessageFormatException) {
      return new MessageFormatRuntimeException(m, c, e);
    }
    if (e instanceof MessageNotWriteableException) {
      return new MessageNotWriteableRuntimeException(m, c, e);
    }
    if (e instanceof ResourceAllocationException) {
      return new ResourceAllocationRuntimeException(m, c, e);
    }
    if (e instanceof TransactionInProgressException) {
      return new TransactionInProgressRuntimeException(m, c, e);
    }
    if (e instanceof TransactionRolledBackException) {
      return new TransactionRolledBackRuntimeException(m, c, e);
    }
    return new JMSRuntimeException(m, c, e);
  }
}
