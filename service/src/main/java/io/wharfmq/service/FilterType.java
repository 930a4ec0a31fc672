package io.wharfmq.service;

/** How a subscription's or pop's expression is read. */
public enum FilterType {
  /** RocketMQ tag expression: {@code *}, or tags joined by {@code ||}. */
  TAG,
  /** SQL92 over the message's properties (JMS selector syntax). */
  SQL92
}
