package io.wharfmq.amqp.link;

import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.Status;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.transport.AmqpError;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.LinkError;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Sender;

/**
 * The one place where service statuses become AMQP error conditions for links and outcomes (the
 * table in docs/amqp.md, "Delivery"), and how an attach is refused (AMQP 1.0 section 2.6.3: reply
 * with a null terminus, then close with the error). Stateless; thread-safe.
 */
final class LinkErrors {
  static final Symbol DECODE_ERROR = AmqpError.DECODE_ERROR;
  static final Symbol MESSAGE_SIZE_EXCEEDED = LinkError.MESSAGE_SIZE_EXCEEDED;

  private LinkErrors() {}

  /** The condition a producer's rejected outcome or a refused link carries for {@code status}. */
  static ErrorCondition of(Status status, String detail) {
    Symbol condition =
        switch (status) {
          case NOT_FOUND -> AmqpError.NOT_FOUND;
          case FORBIDDEN -> AmqpError.UNAUTHORIZED_ACCESS;
          case BUSY, DISK_FULL, TOO_LARGE, QUEUE_FULL -> AmqpError.RESOURCE_LIMIT_EXCEEDED;
          case ILLEGAL -> AmqpError.INVALID_FIELD;
          case CONFLICT -> AmqpError.PRECONDITION_FAILED;
          case UNROUTABLE -> AmqpError.NOT_FOUND;
          case UNAVAILABLE, STALE, ERROR, OK -> AmqpError.INTERNAL_ERROR;
        };
    return new ErrorCondition(condition, detail == null ? status.name() : detail);
  }

  /** RabbitMQ's error for an exchange that does not exist. */
  static ErrorCondition noExchange(String exchange, String vhost) {
    return error(AmqpError.NOT_FOUND, "no exchange '" + exchange + "' in vhost '" + vhost + "'");
  }

  /**
   * The condition of a publish a full queue refused (x-overflow reject-publish), as RabbitMQ 4
   * sends it: amqp:resource-limit-exceeded with info {queue: name, reason: maxlen}. {@code topic}
   * is the queue's topic (SendResult.topic of a QUEUE_FULL answer).
   */
  static ErrorCondition queueFull(String topic, String detail) {
    ErrorCondition c = of(Status.QUEUE_FULL, detail);
    String name = DestinationNames.destination("/", topic.substring(topic.lastIndexOf('|') + 1));
    Map<Symbol, Object> info = new LinkedHashMap<>();
    info.put(Symbol.valueOf("queue"), name != null ? name : topic);
    info.put(Symbol.valueOf("reason"), Symbol.valueOf("maxlen"));
    c.setInfo(info);
    return c;
  }

  static ErrorCondition error(Symbol condition, String description) {
    return new ErrorCondition(condition, description);
  }

  /**
   * Refuses an attach: the reply carries a null terminus on our side (Qpid JMS then raises the
   * exception the condition maps to), and the link is closed at once with the condition.
   */
  static void refuse(Link link, ErrorCondition condition) {
    if (link instanceof Sender) {
      link.setSource(null);
      link.setTarget(link.getRemoteTarget());
    } else {
      link.setTarget(null);
      link.setSource(link.getRemoteSource());
    }
    link.setContext(null);
    link.open();
    link.setCondition(condition);
    link.close();
  }
}
