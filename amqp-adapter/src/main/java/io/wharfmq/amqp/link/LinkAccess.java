package io.wharfmq.amqp.link;

import io.wharfmq.amqp.transport.AmqpSession;
import io.wharfmq.security.Action;
import io.wharfmq.security.Resource;
import io.wharfmq.security.Verdict;
import org.apache.qpid.proton.amqp.transport.AmqpError;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;

/**
 * What each address means to the permission model (docs/security.md, "AMQP door"): a queue is
 * {@code Queue:NAME@VHOST}, a topic is {@code Topic:T} with T the RocketMQ topic that stores it
 * (the name the native door checks too; the destination name itself in the default vhost), an
 * exchange {@code Exchange:NAME@VHOST}. Temporary destinations belong to their connection and need
 * no permission. Stateless.
 */
final class LinkAccess {
  private LinkAccess() {}

  /** The resource {@code dest} is, or null for a temporary one. */
  static Resource resource(AmqpSession session, Destination dest) {
    return switch (dest.kind()) {
      case QUEUE -> Resource.queue(session.vhost(), dest.name());
      case TOPIC -> Resource.topic(dest.topic());
      case TEMP_QUEUE, TEMP_TOPIC -> null;
    };
  }

  /** Null when allowed, else the amqp:unauthorized-access condition with the reason. */
  static ErrorCondition check(AmqpSession session, Destination dest, Action action) {
    Resource r = resource(session, dest);
    return r == null ? null : check(session, r, action);
  }

  /** Null when allowed, else the amqp:unauthorized-access condition with the reason. */
  static ErrorCondition check(AmqpSession session, Resource resource, Action action) {
    Verdict v = session.authorize(resource, action);
    return v.allowed() ? null : new ErrorCondition(AmqpError.UNAUTHORIZED_ACCESS, v.reason());
  }
}
