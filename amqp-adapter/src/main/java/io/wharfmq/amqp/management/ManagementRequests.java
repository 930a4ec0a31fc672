package io.wharfmq.amqp.management;

import io.wharfmq.security.Action;
import io.wharfmq.security.Resource;
import io.wharfmq.security.Verdict;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.Declared;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.QueueInfo;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Result;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations of the /management node (docs/rabbitmq.md, "The /management node"; RabbitMQ 4's
 * table in amqp-jms.md 1.9): queues, exchanges and bindings of the connection's vhost, with the
 * status codes and response maps RabbitMQ answers. Calls the {@link MessagingService}'s blocking
 * topology methods: callers on an event loop run {@link #handle} through {@link
 * MessagingService#administer}. Stateless apart from its collaborators; thread-safe.
 */
public final class ManagementRequests {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementRequests.class);

  /** The literal reply-to of a link-pair request (OASIS Link Pair CS01). */
  public static final String REPLY_TO = "$me";

  /** RabbitMQ's binding path segment: names percent-encoded, args URL-safe Base64. */
  private static final Pattern BINDING_SEGMENT =
      Pattern.compile(
          "^src=([0-9A-Za-z\\-._~%]+);dst([eq])=([0-9A-Za-z\\-._~%]+);"
              + "key=([0-9A-Za-z\\-._~%]*);args=([0-9A-Za-z\\-_]*)$");

  /** What the node needs to know of the adapter's own links. */
  public interface Links {
    /** The adapter's open consumer links of the queue group (added to the service's count). */
    int consumers(String queueGroup);

    /** The queue stored in {@code topic} was deleted: forget what is known of it. */
    void queueDeleted(String topic);

    /** The connection declared an exclusive queue: it is deleted when the connection ends. */
    void exclusiveQueueDeclared(String vhost, String name);

    /**
     * May the connection's user do {@code action} to {@code resource}? (Always, without access
     * control; a refusal is logged by the connection.)
     */
    default Verdict authorize(Resource resource, Action action) {
      return Verdict.allow("access control off");
    }
  }

  private final MessagingService service;
  private final String node;
  private final Links links;

  /**
   * @param node the name the node gives as a queue's {@code leader} and only replica (the
   *     listener's container id)
   */
  public ManagementRequests(MessagingService service, String node, Links links) {
    this.service = service;
    this.node = node;
    this.links = links;
  }

  /** Answers one request of a connection of {@code vhost}. Blocking. Never throws. */
  public ManagementResponse handle(ManagementRequest request, String vhost, String connectionId) {
    try {
      if (!REPLY_TO.equals(request.replyTo())) {
        throw new ManagementException(
            HttpStatus.BAD_REQUEST, "reply-to must be '" + REPLY_TO + "' (link pair)");
      }
      if (request.method() == null || request.target() == null) {
        throw new ManagementException(
            HttpStatus.BAD_REQUEST, "a request needs 'subject' (method) and 'to' (target)");
      }
      return route(request, vhost, connectionId);
    } catch (ManagementException e) {
      LOG.info(
          "management request {} {} failed: {} {}",
          request.method(),
          request.target(),
          e.status,
          e.getMessage());
      return new ManagementResponse(e.status, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("management request {} {} failed", request.method(), request.target(), e);
      return new ManagementResponse(HttpStatus.INTERNAL_ERROR, String.valueOf(e));
    }
  }

  private ManagementResponse route(ManagementRequest r, String vhost, String connectionId) {
    String target = r.target();
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    Map<String, String> query = q < 0 ? Map.of() : query(target.substring(q + 1));
    if (!path.startsWith("/")) {
      throw bad("bad request target '" + target + "'");
    }
    String[] seg = path.substring(1).split("/", -1);
    String method = r.method();
    if (seg[0].equals("queues") && seg.length == 2) {
      String name = decode(seg[1]);
      switch (method) {
        case "PUT" -> require(Resource.queue(vhost, name), Action.CREATE);
        case "DELETE" -> require(Resource.queue(vhost, name), Action.DELETE);
        default -> {}
      }
      return switch (method) {
        case "GET" -> getQueue(vhost, name);
        case "PUT" -> declareQueue(vhost, name, r.body(), connectionId);
        case "DELETE" -> deleteQueue(vhost, name);
        default -> throw unsupported(method, target);
      };
    }
    if (seg[0].equals("queues")
        && seg.length == 3
        && seg[2].equals("messages")
        && method.equals("DELETE")) {
      String name = decode(seg[1]);
      require(Resource.queue(vhost, name), Action.DELETE);
      return purgeQueue(vhost, name);
    }
    if (seg[0].equals("exchanges") && seg.length == 2) {
      String name = decode(seg[1]);
      switch (method) {
        case "PUT" -> require(Resource.exchange(vhost, name), Action.CREATE);
        case "DELETE" -> require(Resource.exchange(vhost, name), Action.DELETE);
        default -> {}
      }
      return switch (method) {
        case "PUT" -> declareExchange(vhost, name, r.body());
        case "DELETE" -> deleteExchange(vhost, name);
        default -> throw unsupported(method, target);
      };
    }
    if (seg[0].equals("bindings") && seg.length == 1) {
      return switch (method) {
        case "POST" -> bind(vhost, r.body());
        case "GET" -> listBindings(vhost, query);
        default -> throw unsupported(method, target);
      };
    }
    if (seg[0].equals("bindings") && seg.length == 2 && method.equals("DELETE")) {
      return unbind(vhost, seg[1]);
    }
    if (seg[0].equals("auth") && seg.length == 2 && seg[1].equals("tokens")) {
      // Token authentication does not exist in Wharf yet: refused, the connection goes on.
      throw new ManagementException(
          HttpStatus.NOT_IMPLEMENTED, "token authentication is not supported by this broker");
    }
    throw unsupported(method, target);
  }

  // ------------------------------------------------------------------ queues

  private ManagementResponse getQueue(String vhost, String name) {
    Result<QueueInfo> info = service.queue(vhost, name);
    if (!info.isOk()) {
      throw failed(info, "queue '" + name + "' in vhost '" + vhost + "'");
    }
    return new ManagementResponse(HttpStatus.OK, queueMap(info.value()));
  }

  private ManagementResponse declareQueue(
      String vhost, String name, Object body, String connectionId) {
    QueueSpec spec = ManagementCodec.queueSpec(vhost, name, body, connectionId);
    if (name.isEmpty()) {
      throw bad("declare queue with empty name not allowed");
    }
    prohibitCrLf(name);
    if (name.startsWith("amq.")) {
      throw new ManagementException(
          HttpStatus.FORBIDDEN,
          "queue '" + name + "' in vhost '" + vhost + "' starts with reserved prefix 'amq.'");
    }
    Result<Declared<QueueInfo>> d = service.declareQueue(spec);
    if (!d.isOk()) {
      throw failed(d, "queue '" + name + "' in vhost '" + vhost + "'");
    }
    if (spec.exclusive()) {
      links.exclusiveQueueDeclared(vhost, name);
    }
    int status = d.value().created() ? HttpStatus.CREATED : HttpStatus.OK;
    return new ManagementResponse(status, queueMap(d.value().value()));
  }

  private Map<String, Object> queueMap(QueueInfo info) {
    String group = DestinationNames.queueGroup(info.topic());
    return ManagementCodec.queueMap(info, info.consumerCount() + links.consumers(group), node);
  }

  private ManagementResponse deleteQueue(String vhost, String name) {
    prohibitCrLf(name);
    Result<Long> r = service.deleteQueue(vhost, name, false, false);
    if (!r.isOk()) {
      throw failed(r, "queue '" + name + "' in vhost '" + vhost + "'");
    }
    links.queueDeleted(DestinationNames.topic(vhost, name));
    return new ManagementResponse(HttpStatus.OK, ManagementCodec.messageCount(r.value()));
  }

  private ManagementResponse purgeQueue(String vhost, String name) {
    Result<Long> r = service.purgeQueue(vhost, name);
    if (!r.isOk()) {
      throw failed(r, "queue '" + name + "' in vhost '" + vhost + "'");
    }
    return new ManagementResponse(HttpStatus.OK, ManagementCodec.messageCount(r.value()));
  }

  // ------------------------------------------------------------------ exchanges

  private ManagementResponse declareExchange(String vhost, String name, Object body) {
    ManagementCodec.ExchangeBody b = ManagementCodec.exchangeBody(body);
    ExchangeType type = ExchangeType.fromWireName(b.type());
    if (type == null) {
      throw bad("unknown exchange type '" + b.type() + "'");
    }
    prohibitDefaultExchange(name);
    ExchangeSpec spec =
        new ExchangeSpec(
            vhost, name, type, b.durable(), b.autoDelete(), b.internal(), b.arguments());
    String what = "exchange '" + name + "' in vhost '" + vhost + "'";
    if (name.startsWith("amq.")) {
      // RabbitMQ answers an equivalent re-declare of a pre-declared exchange with 204.
      Result<ExchangeSpec> existing = service.exchange(vhost, name);
      if (existing.isOk()) {
        if (equivalent(existing.value(), spec)) {
          return new ManagementResponse(HttpStatus.NO_CONTENT, null);
        }
        throw new ManagementException(HttpStatus.CONFLICT, "inequivalent arguments for " + what);
      }
      throw new ManagementException(
          HttpStatus.FORBIDDEN, what + " starts with reserved prefix 'amq.'");
    }
    prohibitCrLf(name);
    Result<Declared<ExchangeSpec>> d = service.declareExchange(spec);
    if (!d.isOk()) {
      throw failed(d, what);
    }
    return new ManagementResponse(HttpStatus.NO_CONTENT, null);
  }

  private static boolean equivalent(ExchangeSpec a, ExchangeSpec b) {
    return a.type() == b.type()
        && a.durable() == b.durable()
        && a.autoDelete() == b.autoDelete()
        && a.internal() == b.internal()
        && Objects.equals(
            a.arguments() == null ? Map.of() : a.arguments(),
            b.arguments() == null ? Map.of() : b.arguments());
  }

  private ManagementResponse deleteExchange(String vhost, String name) {
    prohibitCrLf(name);
    prohibitDefaultExchange(name);
    String what = "exchange '" + name + "' in vhost '" + vhost + "'";
    if (name.startsWith("amq.")) {
      throw new ManagementException(
          HttpStatus.FORBIDDEN, what + " starts with reserved prefix 'amq.'");
    }
    Result<Void> r = service.deleteExchange(vhost, name, false);
    if (!r.isOk()) {
      throw failed(r, what);
    }
    return new ManagementResponse(HttpStatus.NO_CONTENT, null);
  }

  // ------------------------------------------------------------------ bindings

  private ManagementResponse bind(String vhost, Object body) {
    BindingSpec b = ManagementCodec.bindingSpec(vhost, body);
    checkBindingNames(b.source(), b.destination(), b.destinationIsQueue());
    requireBinding(vhost, b.source(), b.destination(), b.destinationIsQueue());
    Result<Void> r = service.bind(b);
    if (!r.isOk()) {
      throw failed(r, "binding of '" + b.source() + "' to '" + b.destination() + "'");
    }
    return new ManagementResponse(HttpStatus.NO_CONTENT, null);
  }

  private ManagementResponse listBindings(String vhost, Map<String, String> query) {
    String src = query.get("src");
    String key = query.get("key");
    boolean toQueue = query.containsKey("dstq");
    String dst = toQueue ? query.get("dstq") : query.get("dste");
    if (dst == null) {
      throw bad("missing 'dste' or 'dstq' in query: " + query);
    }
    if (src == null || key == null) {
      throw bad("missing 'src' or 'key' in query: " + query);
    }
    Result<List<BindingSpec>> r = service.bindings(vhost, src, dst, toQueue, key);
    if (!r.isOk()) {
      throw failed(r, "bindings of '" + src + "'");
    }
    return new ManagementResponse(HttpStatus.OK, ManagementCodec.bindingList(r.value()));
  }

  private ManagementResponse unbind(String vhost, String segment) {
    Matcher m = BINDING_SEGMENT.matcher(segment);
    if (!m.matches()) {
      throw bad("bad binding path segment '" + segment + "'");
    }
    String src = decode(m.group(1));
    boolean toQueue = m.group(2).equals("q");
    String dst = decode(m.group(3));
    String key = decode(m.group(4));
    String hash = m.group(5);
    checkBindingNames(src, dst, toQueue);
    requireBinding(vhost, src, dst, toQueue);
    Result<List<BindingSpec>> found = service.bindings(vhost, src, dst, toQueue, key);
    if (!found.isOk()) {
      throw failed(found, "bindings of '" + src + "'");
    }
    for (BindingSpec b : found.value()) {
      if (b.bindingKey().equals(key) && ManagementCodec.argsHash(b.arguments()).equals(hash)) {
        Result<Void> r = service.unbind(b);
        if (!r.isOk()) {
          throw failed(r, "binding of '" + src + "' to '" + dst + "'");
        }
        break;
      }
    }
    return new ManagementResponse(HttpStatus.NO_CONTENT, null); // also when absent
  }

  /**
   * A permission the request needs, or 403 with the reason (docs/security.md, "AMQP door": as
   * RabbitMQ's configure, write and read, mapped onto Create, Delete, Pub and Sub).
   */
  private void require(Resource resource, Action action) {
    Verdict v = links.authorize(resource, action);
    if (!v.allowed()) {
      throw new ManagementException(HttpStatus.FORBIDDEN, v.reason());
    }
  }

  /**
   * A binding changes what reaches its destination and reads what its source routes: Create on the
   * destination, Sub on the source exchange (RabbitMQ: write on the destination, read on the
   * source).
   */
  private void requireBinding(String vhost, String source, String destination, boolean toQueue) {
    require(
        toQueue ? Resource.queue(vhost, destination) : Resource.exchange(vhost, destination),
        Action.CREATE);
    require(Resource.exchange(vhost, source), Action.SUB);
  }

  private static void checkBindingNames(String source, String destination, boolean toQueue) {
    prohibitDefaultExchange(source);
    if (!toQueue) {
      prohibitDefaultExchange(destination);
    }
    prohibitCrLf(source);
    prohibitCrLf(destination);
  }

  // ------------------------------------------------------------------ helpers

  /** Query parameters, percent-decoded ({@code +} is a space, as in a form). */
  static Map<String, String> query(String text) {
    Map<String, String> out = new HashMap<>();
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(decode(k.replace('+', ' ')), decode(v.replace("+", "%20")));
    }
    return out;
  }

  private static String decode(String segment) {
    try {
      return PercentEncoding.decode(segment.replace(" ", "%20"));
    } catch (IllegalArgumentException e) {
      throw bad("bad name '" + segment + "': " + e.getMessage());
    }
  }

  private static void prohibitCrLf(String name) {
    if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
      throw bad("Bad name '" + name + "': line feed and carriage return characters not allowed");
    }
  }

  private static void prohibitDefaultExchange(String name) {
    if (name.isEmpty() || name.equals("amq.default")) {
      throw new ManagementException(
          HttpStatus.FORBIDDEN, "operation not permitted on the default exchange");
    }
  }

  private static ManagementException failed(Result<?> r, String what) {
    String detail = r.detail() == null ? what + ": " + r.status() : r.detail();
    if (r.status() == io.wharfmq.service.Status.NOT_FOUND && r.detail() == null) {
      detail = what + " not found";
    }
    return new ManagementException(HttpStatus.of(r.status()), detail);
  }

  private static ManagementException unsupported(String method, String target) {
    return bad("unsupported request " + method + " " + target);
  }

  private static ManagementException bad(String why) {
    return new ManagementException(HttpStatus.BAD_REQUEST, why);
  }
}
