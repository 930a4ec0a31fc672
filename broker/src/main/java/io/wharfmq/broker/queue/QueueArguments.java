package io.wharfmq.broker.queue;

import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import java.util.Map;

/**
 * A queue's arguments (RabbitMQ's {@code x-...} queue arguments), checked once when the queue is
 * declared (docs/rabbitmq.md, "Queue arguments and dead-lettering"). Absent limits are -1.
 * Immutable; thread-safe.
 *
 * @param messageTtl {@code x-message-ttl}, ms, or -1
 * @param expires {@code x-expires}, ms (at least 1), or -1
 * @param maxLength {@code x-max-length}, messages, or -1
 * @param maxLengthBytes {@code x-max-length-bytes}, body bytes, or -1
 * @param rejectPublish {@code x-overflow} is {@code reject-publish} (else drop-head)
 * @param deadLetterExchange {@code x-dead-letter-exchange} ("" is the default exchange), or null
 * @param deadLetterRoutingKey {@code x-dead-letter-routing-key}, or null
 * @param queueType {@code x-queue-type}: classic or quorum
 * @param singleActiveConsumer {@code x-single-active-consumer}
 */
public record QueueArguments(
    long messageTtl,
    long expires,
    long maxLength,
    long maxLengthBytes,
    boolean rejectPublish,
    String deadLetterExchange,
    String deadLetterRoutingKey,
    String queueType,
    boolean singleActiveConsumer) {

  /** A queue without arguments. */
  public static final QueueArguments NONE =
      new QueueArguments(-1, -1, -1, -1, false, null, null, "classic", false);

  /** Whether messages can be dead-lettered through an exchange. */
  public boolean hasDeadLetterExchange() {
    return deadLetterExchange != null;
  }

  /** Whether a length limit applies. */
  public boolean isLimited() {
    return maxLength >= 0 || maxLengthBytes >= 0;
  }

  /**
   * Checks and reads the arguments of a declare: ILLEGAL naming the argument for a bad value or an
   * unknown {@code x-} argument RabbitMQ would refuse; arguments without the {@code x-} prefix are
   * kept by the registry and ignored here (RabbitMQ ignores them too).
   */
  public static Result<QueueArguments> parse(Map<String, Object> args) {
    if (args == null || args.isEmpty()) {
      return Result.ok(NONE);
    }
    try {
      long ttl = nonNegative(args, "x-message-ttl");
      long expires = nonNegative(args, "x-expires");
      if (args.containsKey("x-expires") && expires < 1) {
        return illegal("x-expires must be at least 1 ms, is " + args.get("x-expires"));
      }
      long maxLength = nonNegative(args, "x-max-length");
      long maxBytes = nonNegative(args, "x-max-length-bytes");
      String overflow = string(args, "x-overflow", "drop-head");
      if (!overflow.equals("drop-head") && !overflow.equals("reject-publish")) {
        return illegal(
            "x-overflow must be drop-head or reject-publish, is '"
                + overflow
                + "' (reject-publish-dlx is not supported)");
      }
      String dlx = string(args, "x-dead-letter-exchange", null);
      String dlk = string(args, "x-dead-letter-routing-key", null);
      if (dlk != null && dlx == null) {
        // RabbitMQ's rule: a routing key without an exchange is a precondition failure.
        return illegal("x-dead-letter-routing-key needs x-dead-letter-exchange");
      }
      String type = string(args, "x-queue-type", "classic");
      if (!type.equals("classic") && !type.equals("quorum")) {
        return illegal("x-queue-type must be classic or quorum, is '" + type + "'");
      }
      Object sac = args.get("x-single-active-consumer");
      if (sac != null && !(sac instanceof Boolean)) {
        return illegal("x-single-active-consumer must be a boolean, is " + sac);
      }
      return Result.ok(
          new QueueArguments(
              ttl,
              args.containsKey("x-expires") ? expires : -1,
              maxLength,
              maxBytes,
              overflow.equals("reject-publish"),
              dlx,
              dlk,
              type,
              Boolean.TRUE.equals(sac)));
    } catch (IllegalArgumentException e) {
      return illegal(e.getMessage());
    }
  }

  private static Result<QueueArguments> illegal(String why) {
    return Result.fail(Status.ILLEGAL, why);
  }

  /** A whole number argument (any integral type, or a double without fraction), or -1. */
  private static long nonNegative(Map<String, Object> args, String name) {
    Object v = args.get(name);
    if (v == null) {
      return -1;
    }
    long n;
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      n = ((Number) v).longValue();
    } else if (v instanceof Number d && d.doubleValue() == Math.rint(d.doubleValue())) {
      n = (long) d.doubleValue();
    } else {
      throw new IllegalArgumentException(name + " must be a whole number, is " + v);
    }
    if (n < 0) {
      throw new IllegalArgumentException(name + " must not be negative, is " + n);
    }
    return n;
  }

  private static String string(Map<String, Object> args, String name, String absent) {
    Object v = args.get(name);
    if (v == null) {
      return absent;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(name + " must be a string, is " + v);
    }
    return s;
  }
}
