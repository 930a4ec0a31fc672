package io.wharfmq.jms.jndi;

import io.wharfmq.jms.WharfQueue;
import io.wharfmq.jms.WharfTopic;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.function.Function;
import javax.naming.Binding;
import javax.naming.CompositeName;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.NameClassPair;
import javax.naming.NameNotFoundException;
import javax.naming.NameParser;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.NotContextException;
import javax.naming.OperationNotSupportedException;

/**
 * The read-only context {@link WharfInitialContextFactory} builds: a flat map from JNDI names
 * (which may contain '/') to factories and destinations, plus the {@code dynamicQueues/} and {@code
 * dynamicTopics/} prefixes that make a destination for any name. Binding, renaming and subcontext
 * operations throw {@link OperationNotSupportedException}.
 *
 * <p>The bindings never change, so lookups are thread-safe; the environment, as JNDI allows, is not
 * shared between threads.
 */
final class WharfNamingContext implements Context {
  static final String DYNAMIC_QUEUES = "dynamicQueues/";
  static final String DYNAMIC_TOPICS = "dynamicTopics/";

  private static final NameParser PARSER = CompositeName::new;

  private final Hashtable<Object, Object> environment;
  private final Map<String, Object> bindings;

  WharfNamingContext(Hashtable<?, ?> environment, Map<String, Object> bindings) {
    this.environment = new Hashtable<>(environment);
    this.bindings = new TreeMap<>(bindings);
  }

  @Override
  public Object lookup(String name) throws NamingException {
    if (name.isEmpty()) {
      return new WharfNamingContext(environment, bindings);
    }
    Object bound = bindings.get(name);
    if (bound != null) {
      return bound;
    }
    if (name.startsWith(DYNAMIC_QUEUES) && name.length() > DYNAMIC_QUEUES.length()) {
      return new WharfQueue(name.substring(DYNAMIC_QUEUES.length()));
    }
    if (name.startsWith(DYNAMIC_TOPICS) && name.length() > DYNAMIC_TOPICS.length()) {
      return new WharfTopic(name.substring(DYNAMIC_TOPICS.length()));
    }
    throw new NameNotFoundException(
        "nothing is bound to '"
            + name
            + "'; bound: "
            + bindings.keySet()
            + " (and dynamicQueues/NAME, dynamicTopics/NAME)");
  }

  @Override
  public Object lookup(Name name) throws NamingException {
    return lookup(asString(name));
  }

  /** A composite name's components joined by '/', the form the bindings are keyed by. */
  private static String asString(Name name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.size(); i++) {
      if (i > 0) {
        sb.append('/');
      }
      sb.append(name.get(i));
    }
    return sb.toString();
  }

  @Override
  public Object lookupLink(String name) throws NamingException {
    return lookup(name);
  }

  @Override
  public Object lookupLink(Name name) throws NamingException {
    return lookup(name);
  }

  @Override
  public NamingEnumeration<NameClassPair> list(String name) throws NamingException {
    checkIsThis(name);
    return enumerate(e -> new NameClassPair(e.getKey(), e.getValue().getClass().getName()));
  }

  @Override
  public NamingEnumeration<NameClassPair> list(Name name) throws NamingException {
    return list(asString(name));
  }

  @Override
  public NamingEnumeration<Binding> listBindings(String name) throws NamingException {
    checkIsThis(name);
    return enumerate(e -> new Binding(e.getKey(), e.getValue()));
  }

  @Override
  public NamingEnumeration<Binding> listBindings(Name name) throws NamingException {
    return listBindings(asString(name));
  }

  private void checkIsThis(String name) throws NamingException {
    if (!name.isEmpty()) {
      lookup(name); // NameNotFoundException when unbound
      throw new NotContextException("'" + name + "' is not a context; list \"\" instead");
    }
  }

  private <T> NamingEnumeration<T> enumerate(Function<Map.Entry<String, Object>, T> f) {
    Iterator<Map.Entry<String, Object>> it = bindings.entrySet().iterator();
    return new NamingEnumeration<>() {
      @Override
      public T next() {
        return nextElement();
      }

      @Override
      public boolean hasMore() {
        return it.hasNext();
      }

      @Override
      public boolean hasMoreElements() {
        return it.hasNext();
      }

      @Override
      public T nextElement() {
        if (!it.hasNext()) {
          throw new NoSuchElementException();
        }
        return f.apply(it.next());
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public NameParser getNameParser(String name) {
    return PARSER;
  }

  @Override
  public NameParser getNameParser(Name name) {
    return PARSER;
  }

  @Override
  public Name composeName(Name name, Name prefix) throws NamingException {
    return ((Name) prefix.clone()).addAll(name);
  }

  @Override
  public String composeName(String name, String prefix) {
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  @Override
  public Object addToEnvironment(String propName, Object propVal) {
    return environment.put(propName, propVal);
  }

  @Override
  public Object removeFromEnvironment(String propName) {
    return environment.remove(propName);
  }

  @Override
  public Hashtable<?, ?> getEnvironment() {
    return new Hashtable<>(environment);
  }

  /** Nothing to release: the context holds no connection. */
  @Override
  public void close() {}

  @Override
  public String getNameInNamespace() {
    return "";
  }

  // ---------------------------------------------------------------- read-only

  private static OperationNotSupportedException readOnly() {
    return new OperationNotSupportedException(
        "the Wharf JNDI context is read-only: configure it through its environment or"
            + " jndi.properties");
  }

  @Override
  public void bind(Name name, Object obj) throws NamingException {
    throw readOnly();
  }

  @Override
  public void bind(String name, Object obj) throws NamingException {
    throw readOnly();
  }

  @Override
  public void rebind(Name name, Object obj) throws NamingException {
    throw readOnly();
  }

  @Override
  public void rebind(String name, Object obj) throws NamingException {
    throw readOnly();
  }

  @Override
  public void unbind(Name name) throws NamingException {
    throw readOnly();
  }

  @Override
  public void unbind(String name) throws NamingException {
    throw readOnly();
  }

  @Override
  public void rename(Name oldName, Name newName) throws NamingException {
    throw readOnly();
  }

  @Override
  public void rename(String oldName, String newName) throws NamingException {
    throw readOnly();
  }

  @Override
  public void destroySubcontext(Name name) throws NamingException {
    throw readOnly();
  }

  @Override
  public void destroySubcontext(String name) throws NamingException {
    throw readOnly();
  }

  @Override
  public Context createSubcontext(Name name) throws NamingException {
    throw readOnly();
  }

  @Override
  public Context createSubcontext(String name) throws NamingException {
    throw readOnly();
  }
}
