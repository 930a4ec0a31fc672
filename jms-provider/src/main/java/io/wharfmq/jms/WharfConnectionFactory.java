package io.wharfmq.jms;

import io.wharfmq.jms.jndi.WharfObjectFactory;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueConnectionFactory;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicConnectionFactory;
import java.io.Serializable;
import javax.naming.Reference;
import javax.naming.Referenceable;
import javax.naming.StringRefAddr;

/**
 * The entry point of the provider: makes connections and JMSContexts to the Wharf cluster its URL
 * names ({@code wharf://HOST:PORT[;HOST:PORT...]?option=value&...}, see {@link
 * WharfConnectionConfig#parse}). Configured by the URL or bean-style ({@code brokerURL}, {@code
 * user}, {@code password}, {@code clientID}): a bean property that is set (not null) wins over the
 * URL's option whatever the order they were set in, as Spring XML sets them in the order written.
 * Serializable and Referenceable so that it can be bound in JNDI.
 *
 * <p>Setters are not synchronized: configure the factory before sharing it; once configured, making
 * connections from several threads is safe.
 */
public class WharfConnectionFactory
    implements ConnectionFactory,
        QueueConnectionFactory,
        TopicConnectionFactory,
        Serializable,
        Referenceable {
  private static final long serialVersionUID = 1L;

  public static final String DEFAULT_URL = "wharf://127.0.0.1:9876";

  /** Reference address types, read back by {@link WharfObjectFactory}. */
  public static final String REF_BROKER_URL = "brokerURL";

  public static final String REF_USER = "user";
  public static final String REF_PASSWORD = "password";
  public static final String REF_CLIENT_ID = "clientID";

  private String brokerURL;
  private WharfConnectionConfig urlConfig;
  private String user;
  private String password;
  private String clientID;

  /** A factory for {@value #DEFAULT_URL}. */
  public WharfConnectionFactory() {
    this(DEFAULT_URL);
  }

  /**
   * A factory for the given URL.
   *
   * @throws IllegalArgumentException if the URL is malformed or has an unknown or bad option
   */
  public WharfConnectionFactory(String brokerURL) {
    setBrokerURL(brokerURL);
  }

  public String getBrokerURL() {
    return brokerURL;
  }

  /**
   * Replaces the URL and with it every option; user, password and client ID set as bean properties
   * keep winning over the URL's.
   *
   * @throws IllegalArgumentException if the URL is malformed or has an unknown or bad option
   */
  public void setBrokerURL(String brokerURL) {
    this.urlConfig = WharfConnectionConfig.parse(brokerURL);
    this.brokerURL = brokerURL;
  }

  /** The configuration connections are made with: the URL's, with the bean properties set. */
  public WharfConnectionConfig getConfig() {
    return urlConfig.withIdentity(getUser(), getPassword(), getClientID());
  }

  /** The user connections authenticate as: the bean property if set, else the URL's option. */
  public String getUser() {
    return user != null ? user : urlConfig.user();
  }

  /** Overrides the URL's {@code user} option; null gives it back. */
  public void setUser(String user) {
    this.user = user;
  }

  public String getPassword() {
    return password != null ? password : urlConfig.password();
  }

  /** Overrides the URL's {@code password} option; null gives it back. */
  public void setPassword(String password) {
    this.password = password;
  }

  public String getClientID() {
    return clientID != null ? clientID : urlConfig.clientId();
  }

  /** Overrides the URL's {@code clientId} option; null gives it back. */
  public void setClientID(String clientID) {
    this.clientID = clientID;
  }

  @Override
  public Connection createConnection() throws JMSException {
    return WharfConnection.open(getConfig(), null, null);
  }

  @Override
  public Connection createConnection(String userName, String password) throws JMSException {
    return WharfConnection.open(getConfig(), userName, password);
  }

  // The connection class implements QueueConnection and TopicConnection as well (as every JMS 1.1+
  // provider's does); WharfConnection.open declares only jakarta.jms.Connection.
  @Override
  public QueueConnection createQueueConnection() throws JMSException {
    return (QueueConnection) createConnection();
  }

  @Override
  public QueueConnection createQueueConnection(String userName, String password)
      throws JMSException {
    return (QueueConnection) createConnection(userName, password);
  }

  @Override
  public TopicConnection createTopicConnection() throws JMSException {
    return (TopicConnection) createConnection();
  }

  @Override
  public TopicConnection createTopicConnection(String userName, String password)
      throws JMSException {
    return (TopicConnection) createConnection(userName, password);
  }

  @Override
  public JMSContext createContext() {
    return createContext(null, null, JMSContext.AUTO_ACKNOWLEDGE);
  }

  @Override
  public JMSContext createContext(int sessionMode) {
    return createContext(null, null, sessionMode);
  }

  @Override
  public JMSContext createContext(String userName, String password) {
    return createContext(userName, password, JMSContext.AUTO_ACKNOWLEDGE);
  }

  @Override
  public JMSContext createContext(String userName, String password, int sessionMode) {
    WharfJMSContext.checkSessionMode(sessionMode);
    try {
      return WharfJMSContext.over(
          WharfConnection.open(getConfig(), userName, password), sessionMode);
    } catch (JMSException e) {
      throw JmsRuntimeExceptions.of(e);
    }
  }

  /**
   * The URL and the bean properties that override it; {@link WharfObjectFactory} makes an equal
   * factory from it.
   */
  @Override
  public Reference getReference() {
    Reference ref = new Reference(getClass().getName(), WharfObjectFactory.class.getName(), null);
    ref.add(new StringRefAddr(REF_BROKER_URL, brokerURL));
    addIfSet(ref, REF_USER, user);
    addIfSet(ref, REF_PASSWORD, password);
    addIfSet(ref, REF_CLIENT_ID, clientID);
    return ref;
  }

  private static void addIfSet(Reference ref, String type, String value) {
    if (value != null) {
      ref.add(new StringRefAddr(type, value));
    }
  }

  @Override
  public String toString() {
    return "WharfConnectionFactory[" + getConfig() + "]";
  }
}
