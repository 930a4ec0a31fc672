package io.wharfmq.service;

/**
 * Why a service call did not do what was asked. Each door maps these to its own wire errors (the
 * RocketMQ response codes, AMQP error conditions) in one place; see docs/architecture.md.
 */
public enum Status {
  OK,
  /** The topic, group, message or handle does not exist. */
  NOT_FOUND,
  /** A name, header or body the service cannot accept (bad name, bad timer, bad filter). */
  ILLEGAL,
  /** Not allowed: a system topic, a read-only or write-protected topic, a refused feature. */
  FORBIDDEN,
  /** The store or a queue is busy right now: the caller backs off and tries again. */
  BUSY,
  /** The message or its properties exceed the configured maximum. */
  TOO_LARGE,
  /** The disk is full past its limit: publishers are refused, nothing is deleted. */
  DISK_FULL,
  /** The store is closed or unavailable. */
  UNAVAILABLE,
  /** The receipt is from an earlier delivery; another consumer holds the message now. */
  STALE,
  /**
   * Something of that name exists with different settings (a re-declare that is not equivalent).
   */
  CONFLICT,
  /** Published to an exchange whose bindings reach no queue: nothing was stored. */
  UNROUTABLE,
  /**
   * A queue with {@code x-overflow reject-publish} is at its {@code x-max-length} or {@code
   * x-max-length-bytes} and refused the message (AMQP rejected with amqp:resource-limit-exceeded,
   * info {queue, reason: maxlen}). The result's {@code topic} is the full queue's topic; when the
   * message was routed to other queues too, they got it.
   */
  QUEUE_FULL,
  /** An unexpected failure, logged by the service. */
  ERROR
}
