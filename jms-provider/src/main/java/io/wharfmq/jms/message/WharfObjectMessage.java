package io.wharfmq.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.ObjectMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.List;

/**
 * A JMS ObjectMessage (x-opt-jms-msg-type 1): the object is kept Java-serialized, as it travels (a
 * data section of content-type {@link #CONTENT_TYPE}, as Qpid JMS sends it), so setObject copies
 * it. {@link #getObject()} deserializes only classes of trusted packages (prefixes; {@code *}
 * trusts all): deserializing whatever a producer sent would run code of its choosing. Not
 * thread-safe: one session's thread.
 */
public class WharfObjectMessage extends WharfMessage implements ObjectMessage {
  /** The AMQP content-type of a Java-serialized body. */
  public static final String CONTENT_TYPE = "application/x-java-serialized-object";

  /** The packages trusted when none are configured. */
  public static final List<String> DEFAULT_TRUSTED_PACKAGES = List.of("java.lang", "java.util");

  private byte[] serialized;
  private List<String> trustedPackages;

  public WharfObjectMessage() {
    this(DEFAULT_TRUSTED_PACKAGES);
  }

  /** A message whose getObject trusts these package prefixes ({@code *}: all). */
  public WharfObjectMessage(List<String> trustedPackages) {
    setTrustedPackages(trustedPackages);
  }

  /** The package prefixes getObject trusts ({@code *}: all); null means the defaults. */
  public void setTrustedPackages(List<String> trustedPackages) {
    this.trustedPackages =
        trustedPackages == null ? DEFAULT_TRUSTED_PACKAGES : List.copyOf(trustedPackages);
  }

  @Override
  int jmsMessageType() {
    return 1;
  }

  /** The serialized object, null when none was set: for the record mapping. */
  byte[] serialized() {
    return serialized;
  }

  /** Sets the serialized object as received (not checked until getObject). */
  void serialized(byte[] bytes) {
    this.serialized = bytes;
  }

  @Override
  public void setObject(Serializable object) throws JMSException {
    checkBodyWritable();
    serialized = object == null ? null : serialize(object);
  }

  /** Java serialization of an object (null included). */
  static byte[] serialize(Serializable object) throws JMSException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(object);
    } catch (IOException e) {
      MessageFormatException f =
          new MessageFormatException("cannot serialize the object: " + e.getMessage());
      f.initCause(e);
      throw f;
    }
    return bytes.toByteArray();
  }

  @Override
  public Serializable getObject() throws JMSException {
    if (serialized == null) {
      return null;
    }
    try (ObjectInputStream in = new TrustedObjectInputStream(serialized, trustedPackages)) {
      return (Serializable) in.readObject();
    } catch (UntrustedClassException e) {
      MessageFormatException f = new MessageFormatException(e.getMessage());
      f.initCause(e);
      throw f;
    } catch (IOException | ClassNotFoundException | ClassCastException e) {
      MessageFormatException f = new MessageFormatException("cannot deserialize the object: " + e);
      f.initCause(e);
      throw f;
    }
  }

  @Override
  public void clearBody() throws JMSException {
    super.clearBody();
    serialized = null;
  }

  @Override
  boolean hasBody() {
    return serialized != null;
  }

  @Override
  Object body() throws JMSException {
    return getObject();
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public boolean isBodyAssignableTo(Class c) throws JMSException {
    if (serialized == null) {
      return true;
    }
    Serializable o = getObject();
    return o == null || c.isInstance(o);
  }

  /** A class outside the trusted packages. */
  static final class UntrustedClassException extends InvalidClassException {
    private static final long serialVersionUID = 1L;

    UntrustedClassException(String className) {
      super(
          className,
          "the ObjectMessage holds a "
              + className
              + ", which is in no trusted package; to deserialize it, add its package to the"
              + " connection factory's URL option trustedPackages (a comma-separated list of"
              + " package prefixes, * for all)");
    }
  }

  /** Resolves only classes of trusted packages, arrays of them and primitives. */
  private static final class TrustedObjectInputStream extends ObjectInputStream {
    private final List<String> trusted;

    TrustedObjectInputStream(byte[] bytes, List<String> trusted) throws IOException {
      super(new ByteArrayInputStream(bytes));
      this.trusted = trusted;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      check(desc.getName());
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      if (context != null) {
        try {
          return Class.forName(desc.getName(), false, context);
        } catch (ClassNotFoundException e) {
          // the class may be visible from the stream's own loader
        }
      }
      return super.resolveClass(desc);
    }

    @Override
    protected Class<?> resolveProxyClass(String[] interfaces)
        throws IOException, ClassNotFoundException {
      for (String i : interfaces) {
        check(i);
      }
      return super.resolveProxyClass(interfaces);
    }

    private void check(String name) throws UntrustedClassException {
      String element = name;
      while (element.startsWith("[")) {
        element = element.substring(1);
      }
      if (element.length() == 1) {
        return; // an array of primitives
      }
      if (name.startsWith("[") && element.startsWith("L") && element.endsWith(";")) {
        element = element.substring(1, element.length() - 1);
      }
      if (element.indexOf('.') < 0 && isPrimitive(element)) {
        return;
      }
      if (!isTrusted(element, trusted)) {
        throw new UntrustedClassException(element);
      }
    }
  }

  private static boolean isPrimitive(String name) {
    return switch (name) {
      case "boolean", "byte", "short", "char", "int", "long", "float", "double", "void" -> true;
      default -> false;
    };
  }

  /**
   * The value classes of java.lang, trusted whatever the list says: a trusted class's Integer or
   * Enum fields need them, and they run no code of a producer's choosing.
   */
  private static final java.util.Set<String> ALWAYS_TRUSTED =
      java.util.Set.of(
          "java.lang.Boolean",
          "java.lang.Byte",
          "java.lang.Short",
          "java.lang.Character",
          "java.lang.Integer",
          "java.lang.Long",
          "java.lang.Float",
          "java.lang.Double",
          "java.lang.Number",
          "java.lang.String",
          "java.lang.Enum");

  static boolean isTrusted(String className, List<String> trusted) {
    if (ALWAYS_TRUSTED.contains(className)) {
      return true;
    }
    for (String prefix : trusted) {
      if (prefix.equals("*")
          || className.startsWith(prefix.endsWith(".") ? prefix : prefix + ".")) {
        return true;
      }
    }
    return false;
  }
}
