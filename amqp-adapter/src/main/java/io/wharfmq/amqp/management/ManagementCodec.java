package io.wharfmq.amqp.management;

import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.QueueInfo;
import io.wharfmq.service.QueueSpec;
import java.nio.BufferOverflowException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.UnsignedShort;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.message.Message;

/**
 * The HTTP-over-AMQP messages of the /management node and the maps in their bodies, as RabbitMQ 4
 * writes them (docs/rabbitmq.md, "The /management node"): map keys are utf8 strings, {@code
 * message_count} a ulong, {@code consumer_count} a uint, {@code replicas} an array of strings.
 * Argument values cross as String, Long, Boolean, Double, List or Map (the service's types).
 * Stateless; thread-safe.
 */
public final class ManagementCodec {
  /** The application property every response carries. */
  static final String HTTP_RESPONSE = "http:response";

  private ManagementCodec() {}

  /**
   * One request message.
   *
   * @throws IllegalArgumentException when the bytes are not an AMQP message
   */
  public static ManagementRequest decodeRequest(byte[] bytes, int length) {
    Message m = Message.Factory.create();
    try {
      m.decode(bytes, 0, length);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("management request does not decode: " + e, e);
    }
    Object body = m.getBody() instanceof AmqpValue v ? v.getValue() : null;
    return new ManagementRequest(
        m.getMessageId(), m.getSubject(), m.getAddress(), m.getReplyTo(), body);
  }

  /** The response message to the request with message-id {@code correlationId}. */
  public static byte[] encodeResponse(Object correlationId, ManagementResponse response) {
    Message m = Message.Factory.create();
    Properties p = new Properties();
    p.setCorrelationId(correlationId);
    p.setSubject(Integer.toString(response.status()));
    m.setProperties(p);
    m.setApplicationProperties(new ApplicationProperties(Map.of(HTTP_RESPONSE, "1.1")));
    m.setBody(new AmqpValue(response.body()));
    byte[] out = new byte[1024];
    while (true) {
      try {
        int n = m.encode(out, 0, out.length);
        return java.util.Arrays.copyOf(out, n);
      } catch (BufferOverflowException e) {
        out = new byte[out.length * 2];
      }
    }
  }

  /** A request as a client sends it (tests). */
  public static byte[] encodeRequest(ManagementRequest request) {
    Message m = Message.Factory.create();
    Properties p = new Properties();
    p.setMessageId(request.messageId());
    p.setTo(request.target());
    p.setSubject(request.method());
    p.setReplyTo(request.replyTo());
    m.setProperties(p);
    m.setBody(new AmqpValue(request.body()));
    byte[] out = new byte[4096];
    int n = m.encode(out, 0, out.length);
    return java.util.Arrays.copyOf(out, n);
  }

  /** A response as a client reads it (tests): status and body. */
  public static ManagementResponse decodeResponse(byte[] bytes) {
    Message m = Message.Factory.create();
    m.decode(bytes, 0, bytes.length);
    Object body = m.getBody() instanceof AmqpValue v ? v.getValue() : null;
    return new ManagementResponse(Integer.parseInt(m.getSubject()), body);
  }

  // ------------------------------------------------------------------ queues

  /**
   * The queue a {@code PUT /queues/Q} body declares; defaults durable true, exclusive and
   * auto_delete false, no arguments.
   *
   * @throws ManagementException 400 for an unknown property or a value of the wrong type
   */
  static QueueSpec queueSpec(String vhost, String name, Object body, String connectionId) {
    boolean durable = true;
    boolean exclusive = false;
    boolean autoDelete = false;
    Map<String, Object> arguments = Map.of();
    for (Map.Entry<?, ?> e : bodyMap(body, "queue").entrySet()) {
      String key = String.valueOf(e.getKey());
      Object v = e.getValue();
      switch (key) {
        case "durable" -> durable = bool(v, "queue", key);
        case "exclusive" -> exclusive = bool(v, "queue", key);
        case "auto_delete" -> autoDelete = bool(v, "queue", key);
        case "arguments" -> arguments = arguments(v);
        default -> throw bad("bad queue property " + key + " = " + v);
      }
    }
    return new QueueSpec(
        vhost, name, durable, exclusive, autoDelete, arguments, exclusive ? connectionId : null);
  }

  /**
   * The response map of a queue, in RabbitMQ's order; {@code consumers} are the service's and the
   * adapter's consumers together.
   */
  static Map<String, Object> queueMap(QueueInfo info, int consumers, String node) {
    QueueSpec s = info.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("leader", node);
    m.put("replicas", new String[] {node});
    m.put("message_count", UnsignedLong.valueOf(Math.max(0, info.messageCount())));
    m.put("consumer_count", UnsignedInteger.valueOf(Math.max(0, consumers)));
    m.put("name", s.name());
    m.put("vhost", s.vhost());
    m.put("durable", s.durable());
    m.put("auto_delete", s.autoDelete());
    m.put("exclusive", s.exclusive());
    m.put("type", queueType(s.arguments()));
    m.put("arguments", amqpArguments(s.arguments()));
    return m;
  }

  /** {@code x-queue-type}, classic when absent. */
  static String queueType(Map<String, Object> arguments) {
    Object t = arguments == null ? null : arguments.get("x-queue-type");
    return t instanceof String s ? s : "classic";
  }

  /** The body of a delete or purge answer. */
  static Map<String, Object> messageCount(long count) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message_count", UnsignedLong.valueOf(Math.max(0, count)));
    return m;
  }

  // ------------------------------------------------------------------ exchanges

  /** What a {@code PUT /exchanges/X} body says; defaults type direct, durable true. */
  record ExchangeBody(
      String type,
      boolean durable,
      boolean autoDelete,
      boolean internal,
      Map<String, Object> arguments) {}

  static ExchangeBody exchangeBody(Object body) {
    String type = "direct";
    boolean durable = true;
    boolean autoDelete = false;
    boolean internal = false;
    Map<String, Object> arguments = Map.of();
    for (Map.Entry<?, ?> e : bodyMap(body, "exchange").entrySet()) {
      String key = String.valueOf(e.getKey());
      Object v = e.getValue();
      switch (key) {
        case "type" -> {
          if (!(v instanceof String s)) {
            throw bad("bad exchange property type = " + v);
          }
          type = s;
        }
        case "durable" -> durable = bool(v, "exchange", key);
        case "auto_delete" -> autoDelete = bool(v, "exchange", key);
        case "internal" -> internal = bool(v, "exchange", key);
        case "arguments" -> arguments = arguments(v);
        default -> throw bad("bad exchange property " + key + " = " + v);
      }
    }
    return new ExchangeBody(type, durable, autoDelete, internal, arguments);
  }

  // ------------------------------------------------------------------ bindings

  /** The binding a {@code POST /bindings} body adds. */
  static BindingSpec bindingSpec(String vhost, Object body) {
    String source = null;
    String destination = null;
    Boolean queue = null;
    String key = "";
    Map<String, Object> arguments = Map.of();
    for (Map.Entry<?, ?> e : bodyMap(body, "binding").entrySet()) {
      String field = String.valueOf(e.getKey());
      Object v = e.getValue();
      switch (field) {
        case "source" -> source = string(v, field);
        case "destination_queue" -> {
          destination = string(v, field);
          queue = true;
        }
        case "destination_exchange" -> {
          destination = string(v, field);
          queue = false;
        }
        case "binding_key" -> key = string(v, field);
        case "arguments" -> arguments = arguments(v);
        default -> throw bad("bad binding field " + field + " = " + v);
      }
    }
    if (source == null || destination == null) {
      throw bad("a binding needs 'source' and 'destination_queue' or 'destination_exchange'");
    }
    return new BindingSpec(vhost, source, destination, queue, key, arguments);
  }

  /** The list {@code GET /bindings} answers. */
  static List<Object> bindingList(List<BindingSpec> bindings) {
    List<Object> out = new ArrayList<>(bindings.size());
    for (BindingSpec b : bindings) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("source", b.source());
      m.put(b.destinationIsQueue() ? "destination_queue" : "destination_exchange", b.destination());
      m.put("binding_key", b.bindingKey());
      m.put("arguments", amqpArguments(b.arguments()));
      m.put("location", bindingLocation(b));
      out.add(m);
    }
    return out;
  }

  /**
   * {@code /bindings/src=S;dstq=D;key=K;args=H} (or {@code dste=}): names percent-encoded, H the
   * {@link #argsHash} of the arguments.
   */
  static String bindingLocation(BindingSpec b) {
    return "/bindings/src="
        + PercentEncoding.encode(b.source())
        + ";dst"
        + (b.destinationIsQueue() ? 'q' : 'e')
        + "="
        + PercentEncoding.encode(b.destination())
        + ";key="
        + PercentEncoding.encode(b.bindingKey())
        + ";args="
        + argsHash(b.arguments());
  }

  /**
   * An opaque name for a binding's arguments: empty when there are none, else 8 characters of
   * URL-safe Base64 (no padding) of the SHA-256 of the arguments sorted by key. RabbitMQ hashes its
   * own term format; clients treat the value as opaque and delete through the {@code location} they
   * read.
   */
  static String argsHash(Map<String, Object> arguments) {
    if (arguments == null || arguments.isEmpty()) {
      return "";
    }
    StringBuilder canonical = new StringBuilder();
    canonical(new TreeMap<>(arguments), canonical);
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 6));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  private static void canonical(Object v, StringBuilder out) {
    if (v instanceof Map<?, ?> m) {
      out.append('{');
      new TreeMap<>(stringKeys(m)).forEach((k, x) -> canonical(x, out.append(k).append('=')));
      out.append('}');
    } else if (v instanceof List<?> l) {
      out.append('[');
      l.forEach(x -> canonical(x, out.append(',')));
      out.append(']');
    } else {
      out.append(v == null ? "null" : v.getClass().getSimpleName() + ":" + v).append(';');
    }
  }

  private static Map<String, Object> stringKeys(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  // ------------------------------------------------------------------ arguments

  /** AMQP argument values to the service's types; 400 for a type that has no counterpart. */
  static Map<String, Object> arguments(Object v) {
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw bad("arguments must be a map: " + v);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getKey() instanceof String) && !(e.getKey() instanceof Symbol)) {
        throw bad("unsupported argument " + e.getKey());
      }
      out.put(e.getKey().toString(), argument(e.getValue()));
    }
    return out;
  }

  private static Object argument(Object v) {
    if (v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
      return v;
    } else if (v instanceof Symbol s) {
      return s.toString();
    } else if (v instanceof Integer
        || v instanceof Short
        || v instanceof Byte
        || v instanceof UnsignedInteger
        || v instanceof UnsignedShort
        || v instanceof UnsignedByte) {
      return ((Number) v).longValue();
    } else if (v instanceof UnsignedLong u) {
      return u.longValue();
    } else if (v instanceof Float f) {
      return f.doubleValue();
    } else if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object x : l) {
        out.add(argument(x));
      }
      return out;
    } else if (v instanceof Object[] array) {
      return argument(java.util.Arrays.asList(array));
    } else if (v instanceof Map<?, ?> m) {
      return arguments(m);
    } else if (v instanceof Binary b) {
      return new String(b.getArray(), b.getArrayOffset(), b.getLength(), StandardCharsets.UTF_8);
    }
    throw bad("unsupported argument value " + v);
  }

  /** The service's argument values as AMQP values (utf8 keys). */
  static Map<String, Object> amqpArguments(Map<String, Object> arguments) {
    return arguments == null ? Map.of() : new LinkedHashMap<>(arguments);
  }

  // ------------------------------------------------------------------ helpers

  private static Map<?, ?> bodyMap(Object body, String what) {
    if (body == null) {
      return Map.of();
    }
    if (!(body instanceof Map<?, ?> m)) {
      throw bad("the " + what + " body must be a map");
    }
    return m;
  }

  private static boolean bool(Object v, String what, String key) {
    if (!(v instanceof Boolean b)) {
      throw bad("bad " + what + " property " + key + " = " + v);
    }
    return b;
  }

  private static String string(Object v, String field) {
    if (!(v instanceof String s)) {
      throw bad("bad binding field " + field + " = " + v);
    }
    return s;
  }

  private static ManagementException bad(String why) {
    return new ManagementException(400, why);
  }
}
