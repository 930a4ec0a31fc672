package io.wharfmq.jms;

import jakarta.jms.JMSException;

/** A JMS connection to a Wharf cluster over the native protocol. Work in progress. */
public final class WharfConnection {
  private WharfConnection() {}

  /**
   * Opens a connection: reaches the name servers, claims the configured client ID if any.
   *
   * @param user overrides the config's user when not null
   */
  public static jakarta.jms.Connection open(
      WharfConnectionConfig config, String user, String password) throws JMSException {
    throw new JMSException("not built yet");
  }
}
