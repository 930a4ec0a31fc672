package io.wharfmq.service;

/** Outcome of an ack, a release or a dead-lettering. */
public enum AckStatus {
  OK,
  /** The message is not in flight: never delivered, or already finished. */
  NOT_IN_FLIGHT,
  /** The receipt is from an earlier delivery; another consumer holds the message now. */
  STALE,
  /** The change could not be made durable (log write failed). */
  FAILED
}
