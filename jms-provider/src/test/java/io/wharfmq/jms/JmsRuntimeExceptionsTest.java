package io.wharfmq.jms;

import static org.assertj.core.api.Assertions.assertThat;

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
import jakarta.jms.MessageEOFException;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JmsRuntimeExceptionsTest {

  @Test
  void eachCheckedExceptionBecomesItsCounterpartWithMessageCodeAndCause() {
    Map<JMSException, Class<? extends JMSRuntimeException>> cases =
        Map.ofEntries(
            Map.entry(new IllegalStateException("m", "c"), IllegalStateRuntimeException.class),
            Map.entry(
                new InvalidClientIDException("m", "c"), InvalidClientIDRuntimeException.class),
            Map.entry(
                new InvalidDestinationException("m", "c"),
                InvalidDestinationRuntimeException.class),
            Map.entry(
                new InvalidSelectorException("m", "c"), InvalidSelectorRuntimeException.class),
            Map.entry(new JMSSecurityException("m", "c"), JMSSecurityRuntimeException.class),
            Map.entry(new MessageFormatException("m", "c"), MessageFormatRuntimeException.class),
            Map.entry(
                new MessageNotWriteableException("m", "c"),
                MessageNotWriteableRuntimeException.class),
            Map.entry(
                new ResourceAllocationException("m", "c"),
                ResourceAllocationRuntimeException.class),
            Map.entry(
                new TransactionInProgressException("m", "c"),
                TransactionInProgressRuntimeException.class),
            Map.entry(
                new TransactionRolledBackException("m", "c"),
                TransactionRolledBackRuntimeException.class),
            Map.entry(new MessageEOFException("m", "c"), JMSRuntimeException.class),
            Map.entry(new JMSException("m", "c"), JMSRuntimeException.class));
    cases.forEach(
        (checked, expected) -> {
          JMSRuntimeException r = JmsRuntimeExceptions.of(checked);
          assertThat(r).as("%s", checked.getClass()).isExactlyInstanceOf(expected);
          assertThat(r.getMessage()).isEqualTo("m");
          assertThat(r.getErrorCode()).isEqualTo("c");
          assertThat(r.getCause()).isSameAs(checked);
        });
  }
}
