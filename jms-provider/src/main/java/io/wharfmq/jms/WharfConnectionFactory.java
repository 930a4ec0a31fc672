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
 * WharfConnectionConfig#parse}). Configured either by the URL or bean-style ({@code brokerURL},
 * {@code user}, {@code password}, {@code clientID}; a bean property set after the URL wins over the
 * URL's option). Serializable and Referenceable so that it can be bound in JNDI.
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
  private WharfConnectionConfig config;

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
   * Replaces the URL and with it every option (user, password and client ID too).
   *
   * @throws IllegalArgumentException if the URL is malformed or has an unknown or bad option
   */
  public void setBrokerURL(String brokerURL) {
    this.config = WharfConnectionConfig.parse(brokerURL);
    this.brokerURL = brokerURL;
  }

  /** The configuration connections are made with. */
  public WharfConnectionConfig getConfig() {
    return config;
  }

  public String getUser() {
    return config.user();
  }

  public void setUser(String user) {
    config = config.withIdentity(user, config.password(), config.clientId());
  }

  public String getPassword() {
    return config.password();
  }

  public void setPassword(String password) {
    config = config.withIdentity(config.user(), password, config.clientId());
  }

  public String getClientID() {
    return config.clientId();
  }

  public void setClientID(String clientID) {
    config = config.withIdentity(config.user(), config.password(), clientID);
  }

  @Override
  public Connection createConnection() throws JMSException {
    return WharfConnection.open(config, null, null);
  }

  @Override
  public Connection createConnection(String userName, String password) throws JMSException {
    return WharfConnection.open(config, userName, password);
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
      return WharfJMSContext.over(WharfConnection.open(config, userName, password), sessionMode);
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
    WharfConnectionConfig fromUrl = WharfConnectionConfig.parse(brokerURL);
    addIfChanged(ref, REF_USER, fromUrl.user(), config.user());
    addIfChanged(ref, REF_PASSWORD, fromUrl.password(), config.password());
    addIfChanged(ref, REF_CLIENT_ID, fromUrl.clientId(), config.clientId());
    return ref;
  }

  private static void addIfChanged(Reference ref, String type, String inUrl, String now) {
    if (now != null && !now.equals(inUrl)) {
      ref.add(new StringRefAddr(type, now));
    }
  }

  @Override
  public String toString() {
    return "WharfConnectionFactory[" + config + "]";
  }
}
