package io.wharfmq.service.message;

import java.util.Set;

/**
 * Names of the record properties Wharf reserves for headers that every door reads and writes (the
 * table in docs/mapping.md). One place for all of them: adapters and the broker read these
 * constants, never literals. Values are RocketMQ property text (strings). Stateless; thread-safe.
 *
 * <p>Every name Wharf adds starts with {@link #PREFIX}; the RocketMQ names it reuses ({@link
 * #TAGS}, {@link #KEYS}, {@link #UNIQ_KEY}, {@link #DELIVER_AT}) keep their RocketMQ meaning. An
 * application property whose name collides with either kind is stored under {@link
 * #storedName(String)} instead.
 */
public final class ReservedProperties {
  private ReservedProperties() {}

  /** Every property name Wharf reserves starts with this. */
  public static final String PREFIX = "WHARF_";

  /**
   * Absolute expiry time, epoch milliseconds (AMQP absolute-expiry-time or arrival + header ttl,
   * JMS expiration). The broker never delivers a message past it.
   */
  public static final String EXPIRES_AT = "WHARF_EXPIRES_AT";

  /**
   * The AMQP connection that published a topic message (its listener-unique connection id), for
   * no-local subscriptions (apache.org:no-local-filter:list). Set by the AMQP adapter on topic
   * sends only.
   */
  public static final String PUBLISHER_CONNECTION = "WHARF_PUBLISHER_CONNECTION";

  /**
   * Which AMQP sections the message had, one letter each in section order: {@code H} header, {@code
   * M} message-annotations, {@code P} properties, {@code A} application-properties ({@code F}
   * footer is {@link #FOOTER}). Its presence marks a message that came in by AMQP or JMS: its
   * application properties are exactly the ones {@link #TYPES} lists.
   */
  public static final String SECTIONS = "WHARF_SECTIONS";

  // ---- AMQP properties section (JMS headers) ----

  /** AMQP message-id (JMSMessageID), as text; its type in {@link #MESSAGE_ID_TYPE}. */
  public static final String MESSAGE_ID = "WHARF_MSG_ID";

  /**
   * The {@link PropertyType#code()} of a message-id that is not a string: {@code l} ulong, {@code
   * U} uuid, {@code X} binary (Base64 text). Absent: a string.
   */
  public static final String MESSAGE_ID_TYPE = "WHARF_MSG_ID_TYPE";

  /** AMQP user-id (JMSXUserID), Base64 of its bytes. */
  public static final String USER_ID = "WHARF_USER_ID";

  /** AMQP to, the address the producer named. */
  public static final String TO = "WHARF_TO";

  /** AMQP subject (JMSType). */
  public static final String SUBJECT = "WHARF_SUBJECT";

  /** AMQP reply-to (JMSReplyTo). */
  public static final String REPLY_TO = "WHARF_REPLY_TO";

  /**
   * The kind of {@link #REPLY_TO} (x-opt-jms-reply-to): 0 queue, 1 topic, 2 temporary queue, 3
   * temporary topic.
   */
  public static final String REPLY_TO_TYPE = "WHARF_REPLY_TO_TYPE";

  /** AMQP correlation-id (JMSCorrelationID), as text; its type in {@link #CORRELATION_ID_TYPE}. */
  public static final String CORRELATION_ID = "WHARF_CORRELATION_ID";

  /** As {@link #MESSAGE_ID_TYPE}, for the correlation-id. */
  public static final String CORRELATION_ID_TYPE = "WHARF_CORRELATION_ID_TYPE";

  /** AMQP content-type (a symbol). */
  public static final String CONTENT_TYPE = "WHARF_CONTENT_TYPE";

  /** AMQP content-encoding (a symbol). */
  public static final String CONTENT_ENCODING = "WHARF_CONTENT_ENCODING";

  /** AMQP absolute-expiry-time as sent, epoch ms (the broker reads {@link #EXPIRES_AT}). */
  public static final String ABSOLUTE_EXPIRY_TIME = "WHARF_ABSOLUTE_EXPIRY";

  /** AMQP creation-time (JMSTimestamp), epoch ms. */
  public static final String CREATION_TIME = "WHARF_CREATION_TIME";

  /** AMQP group-id (JMSXGroupID). */
  public static final String GROUP_ID = "WHARF_GROUP_ID";

  /** AMQP group-sequence (JMSXGroupSeq), an unsigned int. */
  public static final String GROUP_SEQUENCE = "WHARF_GROUP_SEQ";

  /** AMQP reply-to-group-id. */
  public static final String REPLY_TO_GROUP_ID = "WHARF_REPLY_TO_GROUP_ID";

  // ---- AMQP header ----

  /** AMQP header ttl as sent, milliseconds (the broker reads {@link #EXPIRES_AT}). */
  public static final String TTL = "WHARF_TTL";

  /** AMQP header priority (JMSPriority), 0..255; absent means 4. */
  public static final String PRIORITY = "WHARF_PRIORITY";

  /** AMQP header durable (JMSDeliveryMode PERSISTENT): "true" or "false". */
  public static final String DURABLE = "WHARF_DURABLE";

  // ---- message annotations, body, footer ----

  /**
   * x-opt-jms-msg-type: 0 Message, 1 ObjectMessage, 2 MapMessage, 3 BytesMessage, 4 StreamMessage,
   * 5 TextMessage.
   */
  public static final String JMS_MSG_TYPE = "WHARF_JMS_MSG_TYPE";

  /**
   * How the record body holds the AMQP body; one of the {@code BODY_*} values. Absent: the body is
   * plain bytes (one data section), as for a RocketMQ-born message.
   */
  public static final String BODY = "WHARF_BODY";

  /** {@link #BODY}: one data section; the record body is its bytes. */
  public static final String BODY_DATA = "D";

  /** {@link #BODY}: an amqp-value string; the record body is its UTF-8 bytes. */
  public static final String BODY_STRING = "S";

  /** {@link #BODY}: an amqp-value binary; the record body is its bytes. */
  public static final String BODY_BINARY = "B";

  /** {@link #BODY}: no body section; the record body is empty. */
  public static final String BODY_NONE = "N";

  /**
   * {@link #BODY}: any other body (several data sections, amqp-sequence sections, an amqp-value of
   * another type); the record body is the AMQP encoding of the body sections as sent.
   */
  public static final String BODY_ENCODED = "E";

  /** The application properties' names and types ({@link TypedProperties}). */
  public static final String TYPES = "WHARF_TYPES";

  /**
   * AMQP message-annotations without the ones that have a field of their own (x-opt-rocketmq-tags,
   * x-opt-rocketmq-keys): Base64 of the section's AMQP encoding.
   */
  public static final String MESSAGE_ANNOTATIONS = "WHARF_AMQP_MA";

  /** AMQP footer: Base64 of the section's AMQP encoding. */
  public static final String FOOTER = "WHARF_AMQP_FOOTER";

  /** Stored name of an application property whose own name is reserved. */
  public static final String ESCAPED_PREFIX = "WHARF_APP_";

  // ---- dead-lettering (RabbitMQ's model, docs/rabbitmq.md) ----

  /**
   * The dead-letter history of a message republished through a dead-letter exchange, most recent
   * first, one entry per (queue, reason): {@link DeathHistory}'s text. Goes out as the AMQP message
   * annotation {@code x-opt-deaths}.
   */
  public static final String DEATHS = "WHARF_DEATHS";

  /**
   * The first dead-lettering (x-first-death-queue, -reason, -exchange): {@link DeathHistory}'s text
   * of one event (queue, reason, exchange). Set once, never changed.
   */
  public static final String FIRST_DEATH = "WHARF_FIRST_DEATH";

  /**
   * The latest dead-lettering (x-last-death-queue, -reason, -exchange), as {@link #FIRST_DEATH}.
   */
  public static final String LAST_DEATH = "WHARF_LAST_DEATH";

  /**
   * The extra routing keys ({@code x-cc}) a message was published with, {@link DeathHistory}'s list
   * text; the first routing key is {@link #TAGS}. Dead-lettering without {@code
   * x-dead-letter-routing-key} routes by all of them.
   */
  public static final String ROUTING_CC = "WHARF_CC";

  // ---- RocketMQ's own ----

  /** RocketMQ tag (one per message; consume-queue tags code); AMQP x-opt-rocketmq-tags. */
  public static final String TAGS = "TAGS";

  /** RocketMQ keys, space-separated (indexed); AMQP x-opt-rocketmq-keys. */
  public static final String KEYS = "KEYS";

  /** RocketMQ client message id. */
  public static final String UNIQ_KEY = "UNIQ_KEY";

  /**
   * Delivery time, epoch ms: RocketMQ 5's timer property, so the broker's timer wheel holds the
   * message until then (AMQP x-opt-delivery-time / x-opt-delivery-delay, JMS delivery delay).
   */
  public static final String DELIVER_AT = "TIMER_DELIVER_MS";

  /**
   * Property names RocketMQ gives a meaning of its own (its MessageConst names and Wharf's broker
   * names): never user properties. From the RocketMQ 5.3 client.
   */
  private static final Set<String> ROCKETMQ_SYSTEM =
      Set.of(
          "KEYS",
          "TAGS",
          "WAIT",
          "DELAY",
          "RETRY_TOPIC",
          "REAL_TOPIC",
          "REAL_QID",
          "TRAN_MSG",
          "PGROUP",
          "MIN_OFFSET",
          "MAX_OFFSET",
          "BUYER_ID",
          "ORIGIN_MESSAGE_ID",
          "TRANSFER_FLAG",
          "CORRECTION_FLAG",
          "MQ2_FLAG",
          "RECONSUME_TIME",
          "MSG_REGION",
          "TRACE_ON",
          "UNIQ_KEY",
          "EXTEND_UNIQ_INFO",
          "MAX_RECONSUME_TIMES",
          "CONSUME_START_TIME",
          "INNER_NUM",
          "INNER_BASE",
          "DUP_INFO",
          "CHECK_IMMUNITY_TIME_IN_SECONDS",
          "TRAN_PREPARED_QUEUE_OFFSET",
          "__transactionId__",
          "TRANSACTION_CHECK_TIMES",
          "INSTANCE_ID",
          "CORRELATION_ID",
          "REPLY_TO_CLIENT",
          "TTL",
          "ARRIVE_TIME",
          "PUSH_REPLY_TIME",
          "CLUSTER",
          "MSG_TYPE",
          "POP_CK",
          "POP_CK_OFFSET",
          "1ST_POP_TIME",
          "__SHARDINGKEY",
          "PROPERTY_FORWARD_QUEUE_ID",
          "REDIRECT",
          "INNER_MULTI_DISPATCH",
          "INNER_MULTI_QUEUE_OFFSET",
          "TRACE_CONTEXT",
          "TIMER_DELAY_SEC",
          "TIMER_DELAY_MS",
          "TIMER_DELIVER_MS",
          "TIMER_ENQUEUE_MS",
          "TIMER_DEQUEUE_MS",
          "TIMER_ROLL_TIMES",
          "TIMER_OUT_MS",
          "TIMER_DEL_UNIQKEY",
          "TIMER_DELAY_LEVEL",
          "__BORNHOST",
          "BORN_TIMESTAMP",
          "__CRC32#",
          "DLQ_ORIGIN_TOPIC",
          "DLQ_ORIGIN_MESSAGE_ID");

  /**
   * Whether a stored property is a user property (a RocketMQ client's {@code getUserProperty}, an
   * AMQP application property of a RocketMQ-born message): not a RocketMQ system name, not one of
   * Wharf's.
   */
  public static boolean isUserProperty(String name) {
    return !name.startsWith(PREFIX)
        && !ROCKETMQ_SYSTEM.contains(name)
        && !name.startsWith("__RMQ.TRANSIENT.");
  }

  /**
   * Whether an application property of this name must be stored under another name: a reserved
   * name, or the empty name (RocketMQ's properties text cannot hold it). A one-letter string
   * property with an empty value is dropped by that text too; {@link TypedProperties} still lists
   * it, and a listed string without text reads as the empty string.
   */
  public static boolean isReserved(String name) {
    return name.isEmpty() || name.startsWith(PREFIX) || ROCKETMQ_SYSTEM.contains(name);
  }

  /** The record property name that holds the application property {@code name}. */
  public static String storedName(String name) {
    return isReserved(name) ? ESCAPED_PREFIX + name : name;
  }
}
