package io.wharfmq.jms.jndi;

import io.wharfmq.jms.WharfConnectionFactory;
import io.wharfmq.jms.WharfDestination;
import io.wharfmq.jms.WharfQueue;
import io.wharfmq.jms.WharfTemporaryQueue;
import io.wharfmq.jms.WharfTemporaryTopic;
import io.wharfmq.jms.WharfTopic;
import java.util.Hashtable;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.NamingException;
import javax.naming.RefAddr;
import javax.naming.Reference;
import javax.naming.spi.ObjectFactory;

/**
 * Makes connection factories and destinations back from the References they gave ({@link
 * WharfConnectionFactory#getReference}, {@link WharfDestination#getReference}), for naming services
 * that store References rather than serialized objects. Anything else gives null, so that JNDI
 * tries the next factory. Stateless, thread-safe.
 */
public class WharfObjectFactory implements ObjectFactory {

  @Override
  public Object getObjectInstance(
      Object obj, Name name, Context nameCtx, Hashtable<?, ?> environment) throws NamingException {
    if (!(obj instanceof Reference ref)) {
      return null;
    }
    String className = ref.getClassName();
    if (className.equals(WharfConnectionFactory.class.getName())) {
      return connectionFactory(ref);
    }
    if (className.equals(WharfQueue.class.getName())) {
      return new WharfQueue(destinationName(ref));
    }
    if (className.equals(WharfTopic.class.getName())) {
      return new WharfTopic(destinationName(ref));
    }
    if (className.equals(WharfTemporaryQueue.class.getName())) {
      return new WharfTemporaryQueue(destinationName(ref));
    }
    if (className.equals(WharfTemporaryTopic.class.getName())) {
      return new WharfTemporaryTopic(destinationName(ref));
    }
    return null;
  }

  private static WharfConnectionFactory connectionFactory(Reference ref) throws NamingException {
    String url = required(ref, WharfConnectionFactory.REF_BROKER_URL);
    WharfConnectionFactory factory;
    try {
      factory = new WharfConnectionFactory(url);
    } catch (IllegalArgumentException e) {
      NamingException ne = new NamingException("bad URL in the Reference: " + e.getMessage());
      ne.setRootCause(e);
      throw ne;
    }
    String user = optional(ref, WharfConnectionFactory.REF_USER);
    if (user != null) {
      factory.setUser(user);
    }
    String password = optional(ref, WharfConnectionFactory.REF_PASSWORD);
    if (password != null) {
      factory.setPassword(password);
    }
    String clientId = optional(ref, WharfConnectionFactory.REF_CLIENT_ID);
    if (clientId != null) {
      factory.setClientID(clientId);
    }
    return factory;
  }

  private static String destinationName(Reference ref) throws NamingException {
    return required(ref, WharfDestination.REF_NAME);
  }

  private static String required(Reference ref, String type) throws NamingException {
    String value = optional(ref, type);
    if (value == null) {
      throw new NamingException(
          "the Reference of a " + ref.getClassName() + " lacks its '" + type + "' address");
    }
    return value;
  }

  private static String optional(Reference ref, String type) {
    RefAddr addr = ref.get(type);
    return addr == null || addr.getContent() == null ? null : addr.getContent().toString();
  }
}
