package io.wharfmq.broker.service;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.exchange.Arguments;
import io.wharfmq.broker.exchange.ExchangeRouter;
import io.wharfmq.broker.exchange.Topology;
import io.wharfmq.broker.exchange.TopologyRegistry;
import io.wharfmq.broker.pop.PopService;
import io.wharfmq.broker.topic.SystemTopics;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.Declared;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.QueueInfo;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's exchange, queue, binding and vhost methods (docs/rabbitmq.md, "Topology"): the
 * {@link TopologyRegistry} holds what is declared; this class makes the topics and groups behind
 * it, exactly as the AMQP adapter does for a queue of a plain address, so both doors reach the same
 * queue. Counts come from the group's offsets and pop state. Thread-safe: changes hold the
 * registry's monitor around their check, their topics and groups, and their registry change.
 */
final class TopologyOperations {
  /** How long a count waits for the consume queues to hold what was stored before it. */
  private static final Duration COUNT_DISPATCH_WAIT = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(TopologyOperations.class);

  /** Deliveries before a queue message is dead-lettered: as the AMQP adapter's queues. */
  static final int QUEUE_MAX_DELIVERIES = 17;

  /** RabbitMQ's limit on exchange, queue and vhost names (UTF-8 bytes). */
  static final int MAX_NAME_BYTES = 255;

  /**
   * Longest escaped vhost name: a topic or group name too long for RocketMQ keeps its first 100
   * characters (DestinationNames), so the vhost's prefix with its {@code |} must fit in them for
   * deleteVhost to find every topic and group of the vhost.
   */
  static final int MAX_ESCAPED_VHOST = 99;

  private final BrokerContext ctx;
  private final LocalMessagingService service;
  private final GroupRegistry groups;
  private final PopService pops;
  private final TopologyRegistry registry;

  TopologyOperations(
      BrokerContext ctx,
      LocalMessagingService service,
      GroupRegistry groups,
      PopService pops,
      TopologyRegistry registry) {
    this.ctx = ctx;
    this.service = service;
    this.groups = groups;
    this.pops = pops;
    this.registry = registry;
  }

  TopologyRegistry registry() {
    return registry;
  }

  // ------------------------------------------------------------------ exchanges

  Result<Declared<ExchangeSpec>> declareExchange(ExchangeSpec raw) {
    ExchangeSpec spec;
    try {
      spec = TopologyRegistry.canonical(raw);
    } catch (Arguments.UnsupportedValueException | NullPointerException e) {
      return illegal("exchange", e);
    }
    String bad = badName("exchange", spec.name(), true);
    if (bad != null) {
      return Result.fail(Status.ILLEGAL, bad);
    }
    String reserved = reservedTopic(spec.vhost(), spec.name());
    if (reserved != null) {
      return Result.fail(Status.FORBIDDEN, reserved);
    }
    Object ae = spec.arguments().get(ExchangeRouter.ALTERNATE_EXCHANGE);
    if (ae != null && !(ae instanceof String)) {
      return Result.fail(Status.ILLEGAL, "alternate-exchange must be a string");
    }
    try {
      synchronized (registry) {
        Result<Boolean> check = registry.checkExchange(spec);
        if (!check.isOk()) {
          return Result.fail(check.status(), check.detail());
        }
        if (!check.value()) {
          return Result.ok(
              new Declared<>(registry.current().exchange(spec.vhost(), spec.name()), false));
        }
        Result<?> topic = service.ensureTopic(DestinationNames.topic(spec.vhost(), spec.name()));
        if (!topic.isOk()) {
          return Result.fail(topic.status(), topic.detail());
        }
        registry.putExchange(spec);
      }
      log.info("Exchange '{}' of vhost '{}' declared: {}", spec.name(), spec.vhost(), spec);
      return Result.ok(new Declared<>(spec, true));
    } catch (IOException e) {
      return error("declare exchange " + spec.name(), e);
    }
  }

  Result<ExchangeSpec> exchange(String vhost, String name) {
    Topology t = registry.current();
    String v = vhostOf(vhost);
    ExchangeSpec x = name == null ? null : t.exchange(v, name);
    return x != null ? Result.ok(x) : Result.fail(Status.NOT_FOUND, noExchange(v, name));
  }

  Result<Void> deleteExchange(String vhost, String name, boolean ifUnused) {
    String v = vhostOf(vhost);
    if (name == null || Topology.isPredeclared(name)) {
      return Result.fail(Status.FORBIDDEN, "exchange '" + name + "' cannot be deleted");
    }
    try {
      synchronized (registry) {
        Topology t = registry.current();
        if (!t.hasVhost(v)) {
          return Result.fail(Status.NOT_FOUND, "no vhost '" + v + "'");
        }
        if (t.exchange(v, name) == null) {
          return Result.ok(null);
        }
        if (ifUnused && !t.bindingsFrom(v, name).isEmpty()) {
          return Result.fail(
              Status.CONFLICT, "exchange '" + name + "' in vhost '" + v + "' in use");
        }
        List<String> sources = sourcesOf(v, name, false);
        registry.removeExchange(v, name);
        autoDelete(v, sources);
        String topic = DestinationNames.topic(v, name);
        if (!queueExists(v, name)) {
          service.deleteTopic(topic); // a queue of the same name shares the topic
        }
      }
      log.info("Exchange '{}' of vhost '{}' deleted", name, v);
      return Result.ok(null);
    } catch (IOException e) {
      return error("delete exchange " + name, e);
    }
  }

  // ------------------------------------------------------------------ queues

  Result<Declared<QueueInfo>> declareQueue(QueueSpec raw) {
    QueueSpec spec;
    try {
      spec = TopologyRegistry.canonical(raw);
    } catch (Arguments.UnsupportedValueException | NullPointerException e) {
      return illegal("queue", e);
    }
    String bad = badName("queue", spec.name(), false);
    if (bad != null) {
      return Result.fail(Status.ILLEGAL, bad);
    }
    String reserved = reservedTopic(spec.vhost(), spec.name());
    if (reserved != null) {
      return Result.fail(Status.FORBIDDEN, reserved);
    }
    if (spec.exclusive() && spec.owner() == null) {
      return Result.fail(Status.ILLEGAL, "an exclusive queue needs an owner");
    }
    String topic = DestinationNames.topic(spec.vhost(), spec.name());
    boolean created;
    try {
      synchronized (registry) {
        Result<Boolean> check = registry.checkQueue(spec, implicitQueueExists(topic));
        if (!check.isOk()) {
          return Result.fail(check.status(), check.detail());
        }
        created = check.value();
        if (created) {
          // The registry first: a crash before the topic and group exist leaves a declared queue
          // that startup completes (reconcile), never an implicit one without its arguments.
          registry.putQueue(spec);
          Result<Void> made = makeQueue(topic, spec.durable() && !spec.exclusive());
          if (!made.isOk()) {
            registry.removeQueue(spec.vhost(), spec.name());
            return Result.fail(made.status(), made.detail());
          }
        } else if (registry.current().queue(spec.vhost(), spec.name()) == null) {
          registry.putQueue(spec); // a queue made by an AMQP address, now declared as it is
        }
      }
    } catch (IOException e) {
      return error("declare queue " + spec.name(), e);
    }
    if (created) {
      log.info("Queue '{}' of vhost '{}' declared: {}", spec.name(), spec.vhost(), spec);
    }
    QueueSpec now = registry.current().queue(spec.vhost(), spec.name());
    return Result.ok(new Declared<>(info(now == null ? spec : now), created));
  }

  /** The topic, group and subscription of a queue, as the AMQP adapter makes them. */
  private Result<Void> makeQueue(String topic, boolean durable) {
    Result<?> t = service.ensureTopic(topic);
    if (!t.isOk()) {
      return Result.fail(t.status(), t.detail());
    }
    String group = DestinationNames.queueGroup(topic);
    Result<Void> g =
        service.ensureGroup(new GroupSettings(group, QUEUE_MAX_DELIVERIES, true, durable, durable));
    if (!g.isOk()) {
      return g;
    }
    return service.subscribe(new Subscription(group, topic, FilterType.TAG, "*", true));
  }

  Result<QueueInfo> queue(String vhost, String name) {
    String v = vhostOf(vhost);
    QueueSpec q = name == null ? null : lookupQueue(v, name);
    return q != null ? Result.ok(info(q)) : Result.fail(Status.NOT_FOUND, noQueue(v, name));
  }

  Result<Long> deleteQueue(String vhost, String name, boolean ifUnused, boolean ifEmpty) {
    String v = vhostOf(vhost);
    if (name == null || name.isEmpty()) {
      return Result.fail(Status.ILLEGAL, "a queue needs a name");
    }
    try {
      synchronized (registry) {
        if (!registry.current().hasVhost(v)) {
          return Result.fail(Status.NOT_FOUND, "no vhost '" + v + "'");
        }
        QueueSpec q = lookupQueue(v, name);
        if (q == null) {
          return Result.ok(0L);
        }
        QueueInfo info = info(q);
        if (ifUnused && info.consumerCount() > 0) {
          return Result.fail(Status.CONFLICT, queueName(v, name) + " in use");
        }
        if (ifEmpty && info.messageCount() > 0) {
          return Result.fail(Status.CONFLICT, queueName(v, name) + " not empty");
        }
        // Group and topic first: a crash before the registry change leaves a declared queue
        // without them, which startup makes again empty (reconcile); the other order would bring
        // the deleted queue back with its messages as an implicit one.
        List<String> sources = sourcesOf(v, name, true);
        dropQueue(v, name, info.topic());
        registry.removeQueue(v, name);
        autoDelete(v, sources);
        log.info("Queue '{}' of vhost '{}' deleted with {} messages", name, v, info.messageCount());
        return Result.ok(info.messageCount());
      }
    } catch (IOException e) {
      return error("delete queue " + name, e);
    }
  }

  /** Deletes a queue's group and, unless an exchange of the same name shares it, its topic. */
  private void dropQueue(String vhost, String name, String topic) {
    String group = DestinationNames.queueGroup(topic);
    if (groups.exists(group)) {
      service.deleteGroup(group);
    }
    if (registry.current().exchange(vhost, name) == null && ctx.topics().get(topic) != null) {
      service.deleteTopic(topic);
    }
  }

  Result<Long> purgeQueue(String vhost, String name) {
    String v = vhostOf(vhost);
    if (name == null || name.isEmpty()) {
      return Result.fail(Status.ILLEGAL, "a queue needs a name");
    }
    QueueSpec q = name == null ? null : lookupQueue(v, name);
    if (q == null) {
      return Result.fail(Status.NOT_FOUND, noQueue(v, name));
    }
    String topic = DestinationNames.topic(v, name);
    String group = DestinationNames.queueGroup(topic);
    TopicConfig c = ctx.topics().get(topic);
    long purged = 0;
    for (int i = 0; c != null && i < c.readQueueNums(); i++) {
      Counts n = counts(group, topic, i);
      purged += n.unfinished() - n.inFlight();
      pops.skipTo(group, topic, i, ctx.store().maxOffset(topic, i));
    }
    log.info("Queue '{}' of vhost '{}' purged of {} ready messages", name, v, purged);
    return Result.ok(purged);
  }

  /** The declared queue, or the one an AMQP address made (durable, no arguments), or null. */
  QueueSpec lookupQueue(String vhost, String name) {
    Topology t = registry.current();
    if (name == null || name.isEmpty() || !t.hasVhost(vhost)) {
      return null;
    }
    QueueSpec q = t.queue(vhost, name);
    if (q != null) {
      return q;
    }
    return implicitQueueExists(DestinationNames.topic(vhost, name))
        ? TopologyRegistry.implicitQueue(vhost, name)
        : null;
  }

  boolean queueExists(String vhost, String name) {
    return lookupQueue(vhost, name) != null;
  }

  /** Whether a queue's topic and group exist (made by an AMQP address, a JMS Queue, a declare). */
  private boolean implicitQueueExists(String topic) {
    return ctx.topics().get(topic) != null && groups.exists(DestinationNames.queueGroup(topic));
  }

  private QueueInfo info(QueueSpec q) {
    // Counts come from the consume queues: wait (briefly) until every record stored before this
    // call is in them, so a publish whose accepted outcome has arrived is counted.
    ctx.store().awaitDispatched(COUNT_DISPATCH_WAIT);
    String topic = DestinationNames.topic(q.vhost(), q.name());
    String group = DestinationNames.queueGroup(topic);
    TopicConfig c = ctx.topics().get(topic);
    long messages = 0;
    for (int i = 0; c != null && i < c.readQueueNums(); i++) {
      messages += counts(group, topic, i).unfinished();
    }
    return new QueueInfo(q, topic, messages, ctx.clients().consumers(group).size());
  }

  private record Counts(long unfinished, long inFlight) {}

  /** Messages of one queue id the group has not finished, and how many of them are in flight. */
  private Counts counts(String group, String topic, int queueId) {
    long max = ctx.store().maxOffset(topic, queueId);
    PopService.View view = pops.view(group, topic, queueId);
    if (view == null) {
      long committed = ctx.offsets().query(group, topic, queueId);
      long from = Math.max(committed < 0 ? max : committed, ctx.store().minOffset(topic, queueId));
      return new Counts(Math.max(0, max - from), 0);
    }
    long below = view.inFlight().stream().filter(o -> o < view.scanFrom()).count();
    long above = Math.max(0, max - view.scanFrom()) - view.doneAhead().size();
    return new Counts(below + Math.max(0, above), view.inFlight().size());
  }

  // ------------------------------------------------------------------ bindings

  Result<Void> bind(BindingSpec raw) {
    BindingSpec b;
    try {
      b = TopologyRegistry.canonical(raw);
    } catch (Arguments.UnsupportedValueException | NullPointerException e) {
      return illegal("binding", e);
    }
    if (b.source().isEmpty() || (!b.destinationIsQueue() && b.destination().isEmpty())) {
      return Result.fail(
          Status.FORBIDDEN,
          "operation not permitted on the default exchange in vhost '" + b.vhost() + "'");
    }
    if (b.destination().isEmpty()) {
      return Result.fail(Status.ILLEGAL, "a binding needs a queue name");
    }
    try {
      synchronized (registry) {
        Topology t = registry.current();
        if (!t.hasVhost(b.vhost())) {
          return Result.fail(Status.NOT_FOUND, "no vhost '" + b.vhost() + "'");
        }
        ExchangeSpec source = t.exchange(b.vhost(), b.source());
        if (source == null) {
          return Result.fail(Status.NOT_FOUND, noExchange(b.vhost(), b.source()));
        }
        if (b.destinationIsQueue()) {
          QueueSpec q = lookupQueue(b.vhost(), b.destination());
          if (q == null) {
            return Result.fail(Status.NOT_FOUND, noQueue(b.vhost(), b.destination()));
          }
          if (t.queue(b.vhost(), b.destination()) == null) {
            registry.putQueue(q); // made by an AMQP address: declared as it is, to bind it
          }
        } else if (t.exchange(b.vhost(), b.destination()) == null) {
          return Result.fail(Status.NOT_FOUND, noExchange(b.vhost(), b.destination()));
        }
        String problem = ExchangeRouter.bindingProblem(source, b);
        if (problem != null) {
          return Result.fail(Status.ILLEGAL, problem);
        }
        if (registry.addBinding(b)) {
          log.info("Binding added: {}", b);
        }
      }
      return Result.ok(null);
    } catch (IOException e) {
      return error("bind", e);
    }
  }

  Result<Void> unbind(BindingSpec raw) {
    BindingSpec b;
    try {
      b = TopologyRegistry.canonical(raw);
    } catch (Arguments.UnsupportedValueException | NullPointerException e) {
      return illegal("binding", e);
    }
    try {
      synchronized (registry) {
        if (registry.removeBinding(b)) {
          log.info("Binding removed: {}", b);
          autoDelete(b.vhost(), List.of(b.source()));
        }
      }
      return Result.ok(null);
    } catch (IOException e) {
      return error("unbind", e);
    }
  }

  Result<List<BindingSpec>> bindings(
      String vhost, String source, String destination, boolean destinationIsQueue, String key) {
    String v = vhostOf(vhost);
    Topology t = registry.current();
    if (!t.hasVhost(v)) {
      return Result.fail(Status.NOT_FOUND, "no vhost '" + v + "'");
    }
    List<BindingSpec> out = new ArrayList<>();
    for (BindingSpec b : t.bindings()) {
      if (b.vhost().equals(v)
          && (source == null || b.source().equals(source))
          && (destination == null
              || (b.destination().equals(destination)
                  && b.destinationIsQueue() == destinationIsQueue))
          && (key == null || b.bindingKey().equals(key))) {
        out.add(b);
      }
    }
    return Result.ok(out);
  }

  /** The exchanges bound to the queue or exchange {@code destination}. */
  private List<String> sourcesOf(String vhost, String destination, boolean queue) {
    List<String> out = new ArrayList<>();
    for (BindingSpec b : registry.current().bindings()) {
      if (b.vhost().equals(vhost)
          && b.destination().equals(destination)
          && b.destinationIsQueue() == queue
          && !out.contains(b.source())) {
        out.add(b.source());
      }
    }
    return out;
  }

  /**
   * RabbitMQ's auto-delete exchanges: one that lost its last binding as a source is deleted (and
   * so, in turn, may the exchanges it was bound to). Called with the registry's monitor held.
   */
  private void autoDelete(String vhost, List<String> sources) throws IOException {
    for (String x : sources) {
      ExchangeSpec e = registry.current().exchange(vhost, x);
      if (e != null
          && e.autoDelete()
          && !Topology.isPredeclared(x)
          && registry.current().bindingsFrom(vhost, x).isEmpty()) {
        List<String> next = sourcesOf(vhost, x, false);
        registry.removeExchange(vhost, x);
        if (!queueExists(vhost, x)) {
          service.deleteTopic(DestinationNames.topic(vhost, x));
        }
        log.info("Auto-delete exchange '{}' of vhost '{}' deleted: no binding left", x, vhost);
        autoDelete(vhost, next);
      }
    }
  }

  // ------------------------------------------------------------------ vhosts

  Result<Void> createVhost(String name) {
    String bad = badName("vhost", name, false);
    if (bad == null && DestinationNames.escape(name).length() > MAX_ESCAPED_VHOST) {
      bad =
          "vhost name too long: its escaped form (docs/amqp.md, \"Destinations\") has more than "
              + MAX_ESCAPED_VHOST
              + " characters";
    }
    if (bad != null) {
      log.warn("Vhost '{}' refused: {}", name, bad);
      return Result.fail(Status.ILLEGAL, bad);
    }
    try {
      if (registry.addVhost(name)) {
        log.info("Vhost '{}' created", name);
      }
      return Result.ok(null);
    } catch (IOException e) {
      return error("create vhost " + name, e);
    }
  }

  Result<Void> deleteVhost(String name) {
    if (name == null || name.equals(Topology.DEFAULT_VHOST)) {
      return Result.fail(Status.FORBIDDEN, "vhost '/' cannot be deleted");
    }
    try {
      synchronized (registry) {
        if (!registry.current().hasVhost(name)) {
          return Result.fail(Status.NOT_FOUND, "no vhost '" + name + "'");
        }
        // First the topology (nothing routes there any more), then every topic and group whose
        // name carries the vhost's prefix: declared and implicit queues, exchanges, subscriptions.
        registry.removeVhost(name);
        String prefix = DestinationNames.escape(name) + "|";
        List<String> topics = new ArrayList<>();
        ctx.topics()
            .snapshot()
            .topicConfigTable()
            .keySet()
            .forEach(
                t -> {
                  if (t.startsWith(prefix)) {
                    topics.add(t);
                  }
                });
        List<String> groupNames = new ArrayList<>();
        List<String> allGroups =
            new ArrayList<>(ctx.subscriptionGroups().snapshot().subscriptionGroupTable().keySet());
        allGroups.addAll(groups.transientNames()); // non-durable queues' and subscriptions' groups
        for (String g : allGroups) {
          if ((g.startsWith(prefix) || g.startsWith(DestinationNames.QUEUE_GROUP + prefix))
              && !groupNames.contains(g)) {
            groupNames.add(g);
          }
        }
        groupNames.forEach(service::deleteGroup);
        topics.forEach(service::deleteTopic);
        log.info(
            "Vhost '{}' deleted with {} topics and {} groups",
            name,
            topics.size(),
            groupNames.size());
      }
      return Result.ok(null);
    } catch (IOException e) {
      return error("delete vhost " + name, e);
    }
  }

  /**
   * At startup, after the store and pop state are loaded: makes the topic and group of every
   * durable declared queue that lacks them (a crash between a declare's registry write and its
   * topic, or in the middle of a delete: the queue comes back empty, without stale offsets), and
   * deletes the topics and groups the previous run's non-durable and exclusive queues left behind.
   */
  void reconcile() throws IOException {
    synchronized (registry) {
      Topology t = registry.current();
      for (String v : t.vhosts()) {
        for (QueueSpec q : t.queues(v)) {
          String topic = DestinationNames.topic(v, q.name());
          String group = DestinationNames.queueGroup(topic);
          boolean topicMissing = ctx.topics().get(topic) == null;
          if (topicMissing || !groups.exists(group)) {
            if (topicMissing && groups.exists(group)) {
              service.deleteGroup(group); // offsets of a deleted topic's queues
            }
            Result<Void> made = makeQueue(topic, q.durable() && !q.exclusive());
            log.warn(
                "Queue '{}' of vhost '{}' lacked its {}: made again ({})",
                q.name(),
                v,
                topicMissing ? "topic" : "group",
                made.isOk() ? "empty" : made.detail());
          }
        }
      }
      for (Topology.Key k : registry.leftoverTransientQueues()) {
        if (!t.hasVhost(k.vhost()) || t.queue(k.vhost(), k.name()) != null) {
          continue;
        }
        String topic = DestinationNames.topic(k.vhost(), k.name());
        String group = DestinationNames.queueGroup(topic);
        if (groups.exists(group)) {
          service.deleteGroup(group);
        }
        if (t.exchange(k.vhost(), k.name()) == null && ctx.topics().get(topic) != null) {
          service.deleteTopic(topic);
        }
        log.info("Non-durable queue '{}' of vhost '{}' gone with the restart", k.name(), k.vhost());
      }
      registry.forgetLeftovers();
    }
  }

  List<String> vhosts() {
    return registry.current().vhosts();
  }

  // ------------------------------------------------------------------ helpers

  private static String vhostOf(String vhost) {
    return vhost == null || vhost.isEmpty() ? Topology.DEFAULT_VHOST : vhost;
  }

  private static String badName(String what, String name, boolean emptyAllowed) {
    if (name == null || (!emptyAllowed && name.isEmpty())) {
      return "a " + what + " needs a name";
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      return what + " name longer than " + MAX_NAME_BYTES + " bytes";
    }
    if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0) {
      return what + " name must not contain CR or LF";
    }
    return null;
  }

  /** Why the name's topic is the broker's own (a system topic), or null. */
  private String reservedTopic(String vhost, String name) {
    if (name.isEmpty()) {
      return null;
    }
    String topic = DestinationNames.topic(vhost, name);
    return ctx.topics().isSystemTopic(topic) || SystemTopics.isNotAllowedSendTopic(topic)
        ? "name '" + name + "' is a topic reserved for the broker"
        : null;
  }

  private static String noExchange(String vhost, String name) {
    return "no exchange '" + name + "' in vhost '" + vhost + "'";
  }

  private static String noQueue(String vhost, String name) {
    return "no " + queueName(vhost, name);
  }

  private static String queueName(String vhost, String name) {
    return "queue '" + name + "' in vhost '" + vhost + "'";
  }

  private static <T> Result<T> illegal(String what, Exception e) {
    return Result.fail(
        Status.ILLEGAL, "bad " + what + ": " + Objects.requireNonNullElse(e.getMessage(), "null"));
  }

  private static <T> Result<T> error(String what, IOException e) {
    log.error("Cannot {}", what, e);
    return Result.fail(Status.ERROR, what + " failed: " + e.getMessage());
  }
}
