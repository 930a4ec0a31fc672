package io.wharfmq.broker.exchange;

import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ's topology as the broker keeps it: vhosts, exchanges, queues and bindings
 * (docs/rabbitmq.md, "Topology"). Durable items are written to {@code config/topology.json} before
 * a change is published; non-durable and exclusive ones live in memory only. Readers take {@link
 * #current()}, an immutable version, without locks. Changes are serialized on this object: a caller
 * that must do more work between a check and its change (create a topic) holds {@code synchronized
 * (registry)} around both. Equivalence rules are RabbitMQ's (amqp-jms.md 1.9). Thread-safe.
 */
public final class TopologyRegistry {
  private static final Logger log = LoggerFactory.getLogger(TopologyRegistry.class);

  /** Queue argument that names the queue type; an absent one is equivalent to any. */
  static final String QUEUE_TYPE = "x-queue-type";

  /**
   * The queue arguments a re-declare must repeat exactly, in RabbitMQ's order
   * (rabbit_amqqueue:assert_args_equivalence with the classic and quorum queue types' argument
   * lists): any other argument, known or not, may differ or be left out, and the queue keeps the
   * arguments it was first declared with.
   */
  static final List<String> EQUIVALENCE_ARGUMENTS =
      List.of(
          "x-expires",
          "x-message-ttl",
          "x-dead-letter-exchange",
          "x-dead-letter-routing-key",
          "x-max-length",
          "x-max-length-bytes",
          "x-max-in-memory-length",
          "x-max-in-memory-bytes",
          "x-max-priority",
          "x-overflow",
          "x-queue-mode",
          "x-queue-version",
          "x-single-active-consumer",
          QUEUE_TYPE,
          "x-queue-master-locator",
          "x-queue-leader-locator",
          "x-initial-cluster-size",
          "x-delivery-limit",
          "x-dead-letter-strategy",
          "x-max-age",
          "x-stream-max-segment-size-bytes",
          "x-stream-filter-size-bytes",
          "x-quorum-initial-group-size");

  private final TopologyFile file;
  private volatile Topology current;

  /** Non-durable queues of the previous run, until {@link #forgetLeftovers} (monitor). */
  private List<Topology.Key> leftovers;

  private TopologyRegistry(TopologyFile file, Topology initial, List<Topology.Key> leftovers) {
    this.file = file;
    this.current = initial;
    this.leftovers = List.copyOf(leftovers);
  }

  /** Reads the topology file of the config directory; a damaged file stops startup. */
  public static TopologyRegistry load(Path configDir) throws IOException {
    TopologyFile file = new TopologyFile(configDir);
    TopologyFile.Content c = file.read();
    if (c == null) {
      return new TopologyRegistry(file, Topology.empty(), List.of());
    }
    Set<String> vhosts = new LinkedHashSet<>();
    vhosts.add(Topology.DEFAULT_VHOST);
    vhosts.addAll(c.vhosts());
    Map<Topology.Key, ExchangeSpec> exchanges = new LinkedHashMap<>();
    Map<Topology.Key, QueueSpec> queues = new LinkedHashMap<>();
    Set<BindingSpec> bindings = new LinkedHashSet<>();
    try {
      for (ExchangeSpec e : c.exchanges()) {
        ExchangeSpec x = canonical(e);
        exchanges.put(new Topology.Key(x.vhost(), x.name()), x);
      }
      for (QueueSpec q : c.queues()) {
        QueueSpec x = canonical(q);
        queues.put(new Topology.Key(x.vhost(), x.name()), x);
      }
      for (BindingSpec b : c.bindings()) {
        bindings.add(canonical(b));
      }
    } catch (Arguments.UnsupportedValueException | NullPointerException e) {
      throw file.damaged(e.getMessage());
    }
    Topology t = new Topology(vhosts, exchanges, queues, bindings);
    for (BindingSpec b : bindings) {
      if (!endsExist(t, b)) {
        throw file.damaged("binding " + b + " names an exchange or queue it does not hold");
      }
    }
    log.info(
        "Loaded {} vhosts, {} exchanges, {} queues and {} bindings from {}",
        vhosts.size(),
        exchanges.size(),
        queues.size(),
        bindings.size(),
        file.path());
    List<Topology.Key> leftovers =
        c.transientQueues() == null
            ? List.of()
            : c.transientQueues().stream().filter(Objects::nonNull).toList();
    return new TopologyRegistry(file, t, leftovers);
  }

  /**
   * The non-durable and exclusive queues the previous run had: gone with the restart, their topics
   * and groups are to be deleted ({@link #forgetLeftovers} once done).
   */
  public synchronized List<Topology.Key> leftoverTransientQueues() {
    return leftovers;
  }

  /** Drops the list of the previous run's non-durable queues from the file. */
  public synchronized void forgetLeftovers() throws IOException {
    if (!leftovers.isEmpty()) {
      leftovers = List.of();
      file.write(content(current));
    }
  }

  /** The topology now (immutable). */
  public Topology current() {
    return current;
  }

  /**
   * The arguments of a declared queue (TTL, length limits, dead-lettering, ...), or null when no
   * such queue was declared (a queue made implicitly by an AMQP address has none).
   */
  public Map<String, Object> queueArguments(String vhost, String name) {
    QueueSpec q = current.queue(vhost, name);
    return q == null ? null : q.arguments();
  }

  /** The declared queue a topic stores, or null. */
  public QueueSpec queueOfTopic(String topic) {
    return current.queueOfTopic(topic);
  }

  // ------------------------------------------------------------------ canonical forms

  /** The spec with canonical arguments; throws for an argument the file cannot keep. */
  public static ExchangeSpec canonical(ExchangeSpec e) throws Arguments.UnsupportedValueException {
    return new ExchangeSpec(
        vhostOf(e.vhost()),
        Objects.requireNonNull(e.name(), "exchange name"),
        Objects.requireNonNull(e.type(), "exchange type"),
        e.durable(),
        e.autoDelete(),
        e.internal(),
        Arguments.canonical(e.arguments()));
  }

  public static QueueSpec canonical(QueueSpec q) throws Arguments.UnsupportedValueException {
    return new QueueSpec(
        vhostOf(q.vhost()),
        Objects.requireNonNull(q.name(), "queue name"),
        q.durable(),
        q.exclusive(),
        q.autoDelete(),
        Arguments.canonical(q.arguments()),
        q.owner());
  }

  public static BindingSpec canonical(BindingSpec b) throws Arguments.UnsupportedValueException {
    return new BindingSpec(
        vhostOf(b.vhost()),
        Objects.requireNonNull(b.source(), "binding source"),
        Objects.requireNonNull(b.destination(), "binding destination"),
        b.destinationIsQueue(),
        b.bindingKey() == null ? "" : b.bindingKey(),
        Arguments.canonical(b.arguments()));
  }

  static String vhostOf(String vhost) {
    return vhost == null || vhost.isEmpty() ? Topology.DEFAULT_VHOST : vhost;
  }

  // ------------------------------------------------------------------ checks

  /**
   * Whether the exchange may be declared: OK with true when it is new, with false when an
   * equivalent one exists; FORBIDDEN, NOT_FOUND or CONFLICT otherwise. RabbitMQ compares type,
   * durable, auto-delete, internal and the alternate exchange.
   */
  public synchronized Result<Boolean> checkExchange(ExchangeSpec spec) {
    if (spec.name().isEmpty() || spec.name().startsWith("amq.")) {
      return Result.fail(
          Status.FORBIDDEN,
          "exchange name '"
              + spec.name()
              + "' contains reserved prefix 'amq.'"
              + (spec.name().isEmpty() ? " or is the default exchange" : ""));
    }
    if (!current.hasVhost(spec.vhost())) {
      return Result.fail(Status.NOT_FOUND, "no vhost '" + spec.vhost() + "'");
    }
    ExchangeSpec old = current.exchange(spec.vhost(), spec.name());
    if (old == null) {
      return Result.ok(true);
    }
    List<String> diff = new ArrayList<>();
    differs(diff, "type", old.type(), spec.type());
    differs(diff, "durable", old.durable(), spec.durable());
    differs(diff, "auto_delete", old.autoDelete(), spec.autoDelete());
    differs(diff, "internal", old.internal(), spec.internal());
    differs(
        diff,
        ExchangeRouter.ALTERNATE_EXCHANGE,
        old.arguments().get(ExchangeRouter.ALTERNATE_EXCHANGE),
        spec.arguments().get(ExchangeRouter.ALTERNATE_EXCHANGE));
    return diff.isEmpty()
        ? Result.ok(false)
        : Result.fail(
            Status.CONFLICT,
            "inequivalent arg(s) "
                + diff
                + " for exchange '"
                + spec.name()
                + "' in vhost '"
                + spec.vhost()
                + "'");
  }

  /**
   * Whether the queue may be declared: OK with true when it is new, with false when an equivalent
   * one exists (declared, or made implicitly by an AMQP address when {@code implicit}: such a queue
   * is a durable queue without arguments); FORBIDDEN, NOT_FOUND or CONFLICT otherwise.
   */
  public synchronized Result<Boolean> checkQueue(QueueSpec spec, boolean implicit) {
    if (spec.name().isEmpty() || spec.name().startsWith("amq.")) {
      return Result.fail(
          Status.FORBIDDEN, "queue name '" + spec.name() + "' contains reserved prefix 'amq.'");
    }
    if (!current.hasVhost(spec.vhost())) {
      return Result.fail(Status.NOT_FOUND, "no vhost '" + spec.vhost() + "'");
    }
    QueueSpec old = current.queue(spec.vhost(), spec.name());
    if (old == null && implicit) {
      old = implicitQueue(spec.vhost(), spec.name());
    }
    if (old == null) {
      return Result.ok(true);
    }
    if (old.exclusive() && !Objects.equals(old.owner(), spec.owner())) {
      return Result.fail(
          Status.CONFLICT,
          "cannot obtain exclusive access to locked queue '"
              + spec.name()
              + "' in vhost '"
              + spec.vhost()
              + "'");
    }
    List<String> diff = new ArrayList<>();
    differs(diff, "durable", old.durable(), spec.durable());
    differs(diff, "exclusive", old.exclusive(), spec.exclusive());
    differs(diff, "auto_delete", old.autoDelete(), spec.autoDelete());
    for (String n : EQUIVALENCE_ARGUMENTS) {
      if (n.equals(QUEUE_TYPE) && !spec.arguments().containsKey(n)) {
        continue;
      }
      differs(diff, n, old.arguments().get(n), spec.arguments().get(n));
    }
    if (diff.isEmpty()) {
      return Result.ok(false);
    }
    return Result.fail(
        Status.CONFLICT,
        "inequivalent arg(s) "
            + diff
            + " for queue '"
            + spec.name()
            + "' in vhost '"
            + spec.vhost()
            + "'");
  }

  /** How a queue made by an AMQP address or a JMS Queue answers: durable, no arguments. */
  public static QueueSpec implicitQueue(String vhost, String name) {
    return new QueueSpec(vhost, name, true, false, false, Map.of(), null);
  }

  private static void differs(List<String> diff, String what, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      diff.add(what);
    }
  }

  // ------------------------------------------------------------------ changes

  /** Adds or replaces an exchange (checked by the caller). */
  public synchronized void putExchange(ExchangeSpec spec) throws IOException {
    Topology t = current;
    Map<Topology.Key, ExchangeSpec> exchanges = new LinkedHashMap<>(t.exchanges);
    exchanges.put(new Topology.Key(spec.vhost(), spec.name()), spec);
    publish(new Topology(t.vhosts, exchanges, t.queues, t.bindings), spec.durable());
  }

  /** Removes an exchange and every binding from or to it; false when it was not declared. */
  public synchronized boolean removeExchange(String vhost, String name) throws IOException {
    Topology t = current;
    Topology.Key key = new Topology.Key(vhost, name);
    ExchangeSpec old = t.exchanges.get(key);
    if (old == null) {
      return false;
    }
    Map<Topology.Key, ExchangeSpec> exchanges = new LinkedHashMap<>(t.exchanges);
    exchanges.remove(key);
    Set<BindingSpec> bindings = new LinkedHashSet<>(t.bindings);
    bindings.removeIf(
        b ->
            b.vhost().equals(vhost)
                && (b.source().equals(name)
                    || (!b.destinationIsQueue() && b.destination().equals(name))));
    publish(new Topology(t.vhosts, exchanges, t.queues, bindings), old.durable());
    return true;
  }

  /** Adds or replaces a queue (checked by the caller). */
  public synchronized void putQueue(QueueSpec spec) throws IOException {
    Topology t = current;
    Map<Topology.Key, QueueSpec> queues = new LinkedHashMap<>(t.queues);
    queues.put(new Topology.Key(spec.vhost(), spec.name()), spec);
    // Written even for a non-durable queue: the file names it, so a restart deletes its topic.
    publish(new Topology(t.vhosts, t.exchanges, queues, t.bindings), true);
  }

  /** Removes a declared queue and every binding to it; returns it, or null when absent. */
  public synchronized QueueSpec removeQueue(String vhost, String name) throws IOException {
    Topology t = current;
    Topology.Key key = new Topology.Key(vhost, name);
    QueueSpec old = t.queues.get(key);
    if (old == null) {
      return null;
    }
    Map<Topology.Key, QueueSpec> queues = new LinkedHashMap<>(t.queues);
    queues.remove(key);
    Set<BindingSpec> bindings = new LinkedHashSet<>(t.bindings);
    bindings.removeIf(
        b -> b.vhost().equals(vhost) && b.destinationIsQueue() && b.destination().equals(name));
    publish(new Topology(t.vhosts, t.exchanges, queues, bindings), true);
    return old;
  }

  /**
   * Adds a binding whose ends exist (the caller checked; a queue made implicitly was declared
   * first). False when it existed.
   */
  public synchronized boolean addBinding(BindingSpec b) throws IOException {
    Topology t = current;
    if (t.bindings.contains(b)) {
      return false;
    }
    if (!endsExist(t, b)) {
      throw new IllegalStateException("binding to or from nothing: " + b);
    }
    Set<BindingSpec> bindings = new LinkedHashSet<>(t.bindings);
    bindings.add(b);
    publish(new Topology(t.vhosts, t.exchanges, t.queues, bindings), durable(t, b));
    return true;
  }

  /** Removes a binding; false when there was none. */
  public synchronized boolean removeBinding(BindingSpec b) throws IOException {
    Topology t = current;
    if (!t.bindings.contains(b)) {
      return false;
    }
    Set<BindingSpec> bindings = new LinkedHashSet<>(t.bindings);
    bindings.remove(b);
    publish(new Topology(t.vhosts, t.exchanges, t.queues, bindings), durable(t, b));
    return true;
  }

  /** Adds a vhost; false when it existed. */
  public synchronized boolean addVhost(String vhost) throws IOException {
    Topology t = current;
    if (t.vhosts.contains(vhost)) {
      return false;
    }
    Set<String> vhosts = new LinkedHashSet<>(t.vhosts);
    vhosts.add(vhost);
    publish(new Topology(vhosts, t.exchanges, t.queues, t.bindings), true);
    return true;
  }

  /** Removes a vhost with its exchanges, queues and bindings; false when it did not exist. */
  public synchronized boolean removeVhost(String vhost) throws IOException {
    Topology t = current;
    if (vhost.equals(Topology.DEFAULT_VHOST) || !t.vhosts.contains(vhost)) {
      return false;
    }
    Set<String> vhosts = new LinkedHashSet<>(t.vhosts);
    vhosts.remove(vhost);
    Map<Topology.Key, ExchangeSpec> exchanges = new LinkedHashMap<>(t.exchanges);
    exchanges.keySet().removeIf(k -> k.vhost().equals(vhost));
    Map<Topology.Key, QueueSpec> queues = new LinkedHashMap<>(t.queues);
    queues.keySet().removeIf(k -> k.vhost().equals(vhost));
    Set<BindingSpec> bindings = new LinkedHashSet<>(t.bindings);
    bindings.removeIf(b -> b.vhost().equals(vhost));
    publish(new Topology(vhosts, exchanges, queues, bindings), true);
    return true;
  }

  // ------------------------------------------------------------------ persistence

  private static boolean durable(QueueSpec q) {
    return q.durable() && !q.exclusive();
  }

  /** A binding is kept across restarts when both its ends are. */
  private static boolean durable(Topology t, BindingSpec b) {
    ExchangeSpec source = t.exchange(b.vhost(), b.source());
    if (source == null || !source.durable()) {
      return false;
    }
    if (b.destinationIsQueue()) {
      QueueSpec q = t.queue(b.vhost(), b.destination());
      return q != null && durable(q);
    }
    ExchangeSpec d = t.exchange(b.vhost(), b.destination());
    return d != null && d.durable();
  }

  private static boolean endsExist(Topology t, BindingSpec b) {
    return t.exchange(b.vhost(), b.source()) != null
        && (b.destinationIsQueue()
            ? t.queue(b.vhost(), b.destination()) != null
            : t.exchange(b.vhost(), b.destination()) != null);
  }

  /** Writes the durable part first when it changed, then makes {@code next} current. */
  private void publish(Topology next, boolean durableChange) throws IOException {
    if (durableChange) {
      file.write(content(next));
    }
    current = next;
  }

  private TopologyFile.Content content(Topology t) {
    List<String> vhosts = new ArrayList<>(t.vhosts);
    vhosts.remove(Topology.DEFAULT_VHOST);
    List<ExchangeSpec> exchanges =
        t.exchanges.values().stream().filter(ExchangeSpec::durable).toList();
    List<QueueSpec> queues = t.queues.values().stream().filter(TopologyRegistry::durable).toList();
    Set<BindingSpec> seen = new HashSet<>();
    List<BindingSpec> bindings = new ArrayList<>();
    for (BindingSpec b : t.bindings) {
      if (durable(t, b) && seen.add(b)) {
        bindings.add(b);
      }
    }
    List<Topology.Key> transients = new ArrayList<>(leftovers);
    for (QueueSpec q : t.queues.values()) {
      if (!durable(q)) {
        transients.add(new Topology.Key(q.vhost(), q.name()));
      }
    }
    return new TopologyFile.Content(
        TopologyFile.FORMAT, vhosts, exchanges, queues, bindings, transients);
  }
}
