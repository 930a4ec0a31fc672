package io.wharfmq.jms;

import jakarta.jms.JMSException;

/** What a temporary destination needs of the connection that created it. */
interface TemporaryDestinations {
  /** Deletes the temporary destination; refused while it has consumers. */
  void deleteTemporary(WharfDestination destination) throws JMSException;

  /** Whether this connection created it (only its creator may consume from it). */
  boolean owns(WharfDestination destination);
}
