package io.wharfmq.jms.jndi;

import io.wharfmq.jms.WharfConnectionFactory;
import io.wharfmq.jms.WharfQueue;
import io.wharfmq.jms.WharfTopic;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.naming.ConfigurationException;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.spi.InitialContextFactory;

/**
 * JNDI for applications that look up their factories and destinations by name, with the properties
 * ActiveMQ and Qpid JMS users already write ({@code jndi.properties} or the environment given to
 * {@code new InitialContext(env)}):
 *
 * <pre>
 * java.naming.factory.initial = io.wharfmq.jms.jndi.WharfInitialContextFactory
 * java.naming.provider.url = wharf://host1:9876;host2:9876?clientId=app   (optional, or a file)
 * connectionfactory.NAME = wharf://...                                     (any number)
 * queue.JNDINAME = QUEUE
 * topic.JNDINAME = TOPIC
 * </pre>
 *
 * <p>A {@code java.naming.provider.url} that is not a {@code wharf://} URL names a properties file
 * (a path, or a URL such as {@code file:/etc/app/jms.properties}) with more of these entries, as in
 * Qpid JMS; the environment's own entries win over the file's.
 *
 * <p>A {@code wharf://} {@code java.naming.provider.url} is bound, as in ActiveMQ, under {@code
 * ConnectionFactory}, {@code QueueConnectionFactory} and {@code TopicConnectionFactory}. When
 * neither it nor any {@code connectionfactory.} entry is given, those three names are bound to the
 * default URL ({@value WharfConnectionFactory#DEFAULT_URL}), as Qpid JMS does. {@code
 * dynamicQueues/NAME} and {@code dynamicTopics/NAME} make a destination on each lookup.
 *
 * <p>Bad URLs fail {@code getInitialContext} with a {@link ConfigurationException} that names the
 * entry. Stateless, thread-safe; each call builds a new read-only context.
 */
public class WharfInitialContextFactory implements InitialContextFactory {
  public static final String CONNECTION_FACTORY_PREFIX = "connectionfactory.";
  public static final String QUEUE_PREFIX = "queue.";
  public static final String TOPIC_PREFIX = "topic.";

  /** The names the provider URL (or, without any factory entry, the default URL) is bound under. */
  public static final List<String> DEFAULT_FACTORY_NAMES =
      List.of("ConnectionFactory", "QueueConnectionFactory", "TopicConnectionFactory");

  @Override
  public Context getInitialContext(Hashtable<?, ?> given) throws NamingException {
    Hashtable<?, ?> environment = withProviderFile(given);
    Map<String, Object> bindings = new HashMap<>();
    boolean anyFactory = false;
    for (Map.Entry<?, ?> e : environment.entrySet()) {
      String key = String.valueOf(e.getKey());
      String value = String.valueOf(e.getValue());
      if (key.startsWith(CONNECTION_FACTORY_PREFIX)) {
        bindings.put(name(key, CONNECTION_FACTORY_PREFIX), factory(key, value));
        anyFactory = true;
      } else if (key.startsWith(QUEUE_PREFIX)) {
        bindings.put(name(key, QUEUE_PREFIX), new WharfQueue(destinationName(key, value)));
      } else if (key.startsWith(TOPIC_PREFIX)) {
        bindings.put(name(key, TOPIC_PREFIX), new WharfTopic(destinationName(key, value)));
      }
    }
    Object providerUrl = environment.get(Context.PROVIDER_URL);
    if (providerUrl != null || !anyFactory) {
      String url =
          providerUrl == null ? WharfConnectionFactory.DEFAULT_URL : providerUrl.toString();
      for (String name : DEFAULT_FACTORY_NAMES) {
        // an explicit connectionfactory.ConnectionFactory entry wins over the provider URL
        bindings.putIfAbsent(name, factory(Context.PROVIDER_URL, url));
      }
    }
    return new WharfNamingContext(given, bindings);
  }

  /**
   * The environment plus the entries of the properties file a non-{@code wharf://} provider URL
   * names (the environment's entries win); the environment itself otherwise.
   */
  private static Hashtable<?, ?> withProviderFile(Hashtable<?, ?> environment)
      throws ConfigurationException {
    Object providerUrl = environment.get(Context.PROVIDER_URL);
    if (providerUrl == null
        || providerUrl.toString().regionMatches(true, 0, "wharf://", 0, "wharf://".length())) {
      return environment;
    }
    String location = providerUrl.toString();
    Properties file = new Properties();
    try (InputStream in = open(location)) {
      file.load(in);
    } catch (IOException | IllegalArgumentException e) {
      ConfigurationException ce =
          new ConfigurationException(
              Context.PROVIDER_URL
                  + " is neither a wharf:// URL nor a readable properties file: "
                  + location
                  + " ("
                  + e
                  + ")");
      ce.setRootCause(e);
      throw ce;
    }
    Hashtable<Object, Object> merged = new Hashtable<>(file);
    if (!file.containsKey(Context.PROVIDER_URL)) {
      merged.remove(Context.PROVIDER_URL);
    }
    for (Map.Entry<?, ?> e : environment.entrySet()) {
      if (!e.getKey().equals(Context.PROVIDER_URL)) {
        merged.put(e.getKey(), e.getValue());
      }
    }
    return merged;
  }

  /** A URL with a scheme (file:, jar:, http:...) or else a file path. */
  private static InputStream open(String location) throws IOException {
    try {
      URI uri = new URI(location);
      if (uri.getScheme() != null && uri.getScheme().length() > 1) {
        return uri.toURL().openStream();
      }
    } catch (URISyntaxException e) {
      // not a URL: a path
    }
    return Files.newInputStream(Path.of(location));
  }

  private static String name(String key, String prefix) throws ConfigurationException {
    String name = key.substring(prefix.length());
    if (name.isEmpty()) {
      throw new ConfigurationException("'" + key + "' needs a JNDI name after the prefix");
    }
    return name;
  }

  private static String destinationName(String key, String value) throws ConfigurationException {
    if (value.isBlank()) {
      throw new ConfigurationException("'" + key + "' needs a destination name");
    }
    return value.trim();
  }

  private static WharfConnectionFactory factory(String key, String url)
      throws ConfigurationException {
    try {
      return new WharfConnectionFactory(url);
    } catch (IllegalArgumentException e) {
      ConfigurationException ce = new ConfigurationException(key + ": " + e.getMessage());
      ce.setRootCause(e);
      throw ce;
    }
  }
}
