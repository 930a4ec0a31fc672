package io.wharfmq.amqp.link;

import io.wharfmq.amqp.management.ManagementRequests;
import io.wharfmq.amqp.transport.AmqpSession;
import io.wharfmq.amqp.transport.LinkAttacher;
import io.wharfmq.amqp.tx.CoordinatorLink;
import io.wharfmq.amqp.tx.Transactions;
import io.wharfmq.security.Action;
import io.wharfmq.security.Resource;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.PeekCommand;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.service.TopicInfo;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.messaging.TerminusDurability;
import org.apache.qpid.proton.amqp.messaging.TerminusExpiryPolicy;
import org.apache.qpid.proton.amqp.transaction.Coordinator;
import org.apache.qpid.proton.amqp.transport.AmqpError;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.ReceiverSettleMode;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what each AMQP attach means (docs/amqp.md, "Destinations" and "Delivery"): a receiver
 * link from the peer's point of view consumes from a queue, a topic subscription or a browser; a
 * sender link produces to a destination, to each message's {@code to} (anonymous relay) or to a new
 * temporary destination; a {@code coordinator} target declares transactions. Uses only the {@link
 * MessagingService}. One instance serves the whole listener: its state is thread-safe, and every
 * call comes on the calling connection's thread.
 *
 * <p>That thread serves other connections too, so the blocking service calls (making topics, groups
 * and subscriptions, deleting them) run through {@link ConnectionLinks#administer} on the service's
 * threads; the attach is answered back on the connection's thread once they are done, never before
 * its destination exists (docs/architecture.md, "Threading of the service seam").
 */
public final class AmqpLinkAttacher implements LinkAttacher {
  private static final Logger LOG = LoggerFactory.getLogger(AmqpLinkAttacher.class);

  /**
   * The connection a durable subscription's stored expression names for no-local: the stored
   * subscription says which filters make the subscription (a changed one replaces it, JMS 2.0 8.3),
   * so it must not change with each connection. Links evaluate the real connection.
   */
  private static final String DURABLE_NO_LOCAL_KEY = "durable";

  private final long maxMessageSize;
  private final long invisibleMillis;
  private final LinkCodec codec;
  private final Nodes nodes = new Nodes();
  private final ProducerFlow flow;
  private final DeclaredQueueLinks declaredQueueLinks = new DeclaredQueueLinks();

  /** RabbitMQ's condition for a consumer of another connection's exclusive queue. */
  private static final Symbol RESOURCE_LOCKED = Symbol.valueOf("amqp:resource-locked");

  private final Map<String, ConnectionLinks> connections = new ConcurrentHashMap<>();
  private final Map<String, Filters> subscriptionFilters = new ConcurrentHashMap<>();

  /** amqpProducerFlowHighMark's default (docs/configuration.md). */
  public static final long PRODUCER_FLOW_HIGH_MARK = 10_000;

  /** Links with the documented message mapping; messages over {@code maxMessageSize} rejected. */
  public AmqpLinkAttacher(long maxMessageSize) {
    this(maxMessageSize, ConsumerLink.INVISIBLE_MILLIS);
  }

  /**
   * As above; a delivered message the peer or a transaction holds stays invisible {@code
   * invisibleMillis} without a renewal (amqpInvisibleTimeMs), renewed every third of it.
   */
  public AmqpLinkAttacher(long maxMessageSize, long invisibleMillis) {
    this(maxMessageSize, invisibleMillis, PRODUCER_FLOW_HIGH_MARK);
  }

  /**
   * As above; producers wait while their destination's active consumers are more than {@code
   * producerFlowHighMark} messages behind (amqpProducerFlowHighMark, 0: never).
   */
  public AmqpLinkAttacher(long maxMessageSize, long invisibleMillis, long producerFlowHighMark) {
    this(maxMessageSize, new MappingCodec(), invisibleMillis, producerFlowHighMark);
  }

  /** Links with another codec (tests). */
  public AmqpLinkAttacher(long maxMessageSize, LinkCodec codec) {
    this(maxMessageSize, codec, ConsumerLink.INVISIBLE_MILLIS, PRODUCER_FLOW_HIGH_MARK);
  }

  AmqpLinkAttacher(long maxMessageSize, LinkCodec codec, long invisibleMillis) {
    this(maxMessageSize, codec, invisibleMillis, PRODUCER_FLOW_HIGH_MARK);
  }

  AmqpLinkAttacher(
      long maxMessageSize, LinkCodec codec, long invisibleMillis, long producerFlowHighMark) {
    this.flow = new ProducerFlow(producerFlowHighMark, System::nanoTime);
    if (invisibleMillis < 3) {
      throw new IllegalArgumentException("invisibleMillis must be at least 3: " + invisibleMillis);
    }
    this.invisibleMillis = invisibleMillis;
    if (maxMessageSize <= 0) {
      throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
    }
    this.maxMessageSize = maxMessageSize;
    this.codec = codec;
  }

  /** The listener-wide node state (tests). */
  Nodes nodes() {
    return nodes;
  }

  /** The listener-wide producer flow control (tests). */
  ProducerFlow flow() {
    return flow;
  }

  @Override
  public void onRemoteAttach(AmqpSession session, Link link) {
    ConnectionLinks conn = connection(session);
    if (conn.closed) {
      // Its frames came in with the connection's end: nothing may be made (a temporary
      // destination would outlive it).
      LOG.debug("peer {}: attach of {} after the connection ended", session.peer(), link.getName());
      return;
    }
    guarded(
        session,
        link,
        () -> {
          if (ManagementLink.addressed(link)) {
            ManagementLink.attach(session, conn, management(session, conn, link), link);
          } else if (link instanceof Receiver r) {
            attachProducer(session, conn, r);
          } else {
            attachConsumer(session, conn, (Sender) link);
          }
        });
  }

  /** The /management node's operations for the connection's service. */
  private ManagementRequests management(AmqpSession session, ConnectionLinks conn, Link link) {
    String node = link.getSession().getConnection().getContainer();
    return new ManagementRequests(
        session.service(),
        node == null ? "wharf" : node,
        new ManagementRequests.Links() {
          @Override
          public int consumers(String queueGroup) {
            return nodes.consumers(queueGroup);
          }

          @Override
          public void queueDeleted(String topic) {
            nodes.forget(topic);
          }

          @Override
          public void exclusiveQueueDeclared(String vhost, String name) {
            conn.exclusiveQueues.add(List.of(vhost, name));
          }

          @Override
          public io.wharfmq.security.Verdict authorize(Resource resource, Action action) {
            return session.authorize(resource, action);
          }
        });
  }

  /** Runs a step of an attach; what it throws refuses the link. */
  private static void guarded(AmqpSession session, Link link, Runnable step) {
    try {
      step.run();
    } catch (IllegalArgumentException e) {
      LOG.info("peer {}: attach of {} refused: {}", session.peer(), link.getName(), e.getMessage());
      LinkErrors.refuse(link, LinkErrors.error(AmqpError.INVALID_FIELD, e.getMessage()));
    } catch (RuntimeException e) {
      LOG.warn("peer {}: attach of {} failed", session.peer(), link.getName(), e);
      LinkErrors.refuse(link, LinkErrors.error(AmqpError.INTERNAL_ERROR, String.valueOf(e)));
    }
  }

  /**
   * Runs {@code work} (blocking service calls) after the connection's earlier service work, on the
   * service's threads, and then {@code then} with its result on the connection's thread. When the
   * peer detached the link meanwhile (the transport closed it), the connection ended or the work
   * failed, {@code undo} runs instead, with the result (null when the work failed), to remove what
   * the work made.
   */
  private static <T> void afterService(
      AmqpSession session,
      ConnectionLinks conn,
      Link link,
      Supplier<T> work,
      Consumer<T> then,
      Consumer<T> undo) {
    conn.administer(session.service(), work)
        .whenCompleteAsync(
            (r, e) -> {
              if (conn.closed || link.getLocalState() != EndpointState.UNINITIALIZED) {
                LOG.debug("peer {}: attach of {} ended before it was ready", session.peer(), link);
                undo.accept(e == null ? r : null);
              } else if (e != null) {
                LOG.warn("peer {}: attach of {} failed", session.peer(), link.getName(), e);
                LinkErrors.refuse(
                    link, LinkErrors.error(AmqpError.INTERNAL_ERROR, String.valueOf(e)));
                undo.accept(null);
              } else {
                guarded(session, link, () -> then.accept(r));
              }
            },
            session.executor());
  }

  /**
   * The connection's shared link state. Only the connection's own thread asks for its id, so a get
   * and a put do not race; the close action is registered outside the map's update because it runs
   * at once (and removes the entry) when the connection is already gone.
   */
  private ConnectionLinks connection(AmqpSession session) {
    ConnectionLinks c = connections.get(session.connectionId());
    if (c != null) {
      return c;
    }
    ConnectionLinks made =
        new ConnectionLinks(
            new Transactions(session.service(), session.executor(), invisibleMillis));
    connections.put(session.connectionId(), made);
    session.onClose(() -> connectionClosed(session, made));
    return made;
  }

  private void connectionClosed(AmqpSession session, ConnectionLinks c) {
    c.closed = true;
    connections.remove(session.connectionId(), c);
    c.transactions.rollbackAll();
    for (Destination d : c.temporaries) {
      deleteTemporary(session, c, d);
    }
    c.temporaries.clear();
    var service = session.service();
    for (List<String> q : c.exclusiveQueues) {
      c.administerInBackground(
          service,
          "deleting exclusive queue " + q.get(1),
          () -> {
            service.deleteQueue(q.get(0), q.get(1), false, false);
            nodes.forget(DestinationNames.topic(q.get(0), q.get(1)));
          });
    }
    c.exclusiveQueues.clear();
  }

  /**
   * The last consumer link of a queue on this listener ended: an auto-delete queue goes with it
   * (RabbitMQ deletes one when its last consumer goes), unless the service still counts consumers.
   */
  private void lastConsumerLeft(AmqpSession session, ConnectionLinks conn, Destination dest) {
    if (dest.kind() != Destination.Kind.QUEUE) {
      return;
    }
    var service = session.service();
    String vhost = session.vhost();
    String group = DestinationNames.queueGroup(dest.topic());
    conn.administerInBackground(
        service,
        "auto-deleting queue " + dest.name(),
        () -> {
          var q = service.queue(vhost, dest.name());
          if (q.isOk() && q.value().spec().autoDelete() && nodes.consumers(group) == 0) {
            if (service.deleteQueue(vhost, dest.name(), true, false).isOk()) {
              nodes.forget(dest.topic());
            }
          }
        });
  }

  private void deleteTemporary(AmqpSession session, ConnectionLinks conn, Destination d) {
    var service = session.service();
    conn.administerInBackground(
        service, "deleting " + d.name(), () -> nodes.deleteTemporary(service, d));
  }

  // ------------------------------------------------------------------ the peer sends

  private void attachProducer(AmqpSession session, ConnectionLinks conn, Receiver receiver) {
    var remote = receiver.getRemoteTarget();
    if (remote instanceof Coordinator) {
      CoordinatorLink.attach(session, receiver, conn.transactions);
      return;
    }
    if (!(remote instanceof Target target)) {
      throw new IllegalArgumentException("a sender link needs a target");
    }
    receiver.setSenderSettleMode(receiver.getRemoteSenderSettleMode());
    receiver.setReceiverSettleMode(ReceiverSettleMode.FIRST);
    receiver.setSource(receiver.getRemoteSource());
    if (Terminus.has(receiver.getRemoteDesiredCapabilities(), Terminus.DELAYED_DELIVERY)) {
      receiver.setOfferedCapabilities(new Symbol[] {Terminus.DELAYED_DELIVERY});
    }
    if (target.getDynamic()) {
      Destination temp = createTemporary(session, conn, target.getCapabilities());
      Target local = (Target) target.copy();
      local.setAddress(temp.name());
      prepared(
          session,
          conn,
          receiver,
          temp,
          ready -> {
            receiver.setTarget(local);
            startProducer(session, conn, receiver, temp, true);
          },
          () -> dropTemporary(session, conn, temp));
    } else if (AddressV2.isV2(target.getAddress())
        && AddressV2.parse(target.getAddress()) instanceof AddressV2.ExchangeAddress x) {
      ErrorCondition denied =
          LinkAccess.check(session, Resource.exchange(session.vhost(), x.exchange()), Action.PUB);
      if (denied != null) {
        LinkErrors.refuse(receiver, denied);
        return;
      }
      attachExchangeProducer(session, conn, receiver, target, x);
    } else if (target.getAddress() != null && !target.getAddress().isEmpty()) {
      Destination dest = named(session, target.getAddress(), target.getCapabilities());
      ErrorCondition denied = LinkAccess.check(session, dest, Action.PUB);
      if (denied != null) {
        LinkErrors.refuse(receiver, denied);
        return;
      }
      prepared(
          session,
          conn,
          receiver,
          dest,
          ready -> {
            receiver.setTarget(target);
            startProducer(session, conn, receiver, dest, false);
          },
          () -> {});
    } else {
      receiver.setTarget(target); // anonymous relay: each message names its destination
      startProducer(session, conn, receiver, null, false);
    }
  }

  private void startProducer(
      AmqpSession session,
      ConnectionLinks conn,
      Receiver receiver,
      Destination dest,
      boolean owns) {
    ProducerLink p =
        new ProducerLink(session, receiver, codec, maxMessageSize, nodes, conn, flow, dest, null);
    if (owns) {
      p.ownsNode();
    }
    p.start();
  }

  /**
   * A link that publishes to an exchange ({@code /exchanges/X/KEY}): the exchange must exist and
   * not be internal (RabbitMQ's check at attach, amqp-jms.md 1.1).
   */
  private void attachExchangeProducer(
      AmqpSession session,
      ConnectionLinks conn,
      Receiver receiver,
      Target target,
      AddressV2.ExchangeAddress x) {
    var service = session.service();
    String vhost = session.vhost();
    afterService(
        session,
        conn,
        receiver,
        () -> service.exchange(vhost, x.exchange()),
        found -> {
          if (!found.isOk()) {
            ErrorCondition error =
                found.status() == Status.NOT_FOUND
                    ? LinkErrors.noExchange(x.exchange(), vhost)
                    : LinkErrors.of(found.status(), found.detail());
            LOG.info(
                "peer {}: attach to {} refused: {}",
                session.peer(),
                target.getAddress(),
                error.getDescription());
            LinkErrors.refuse(receiver, error);
          } else if (found.value().internal()) {
            LinkErrors.refuse(
                receiver,
                LinkErrors.error(
                    AmqpError.UNAUTHORIZED_ACCESS,
                    "forbidden to publish to internal exchange '"
                        + x.exchange()
                        + "' in vhost '"
                        + vhost
                        + "'"));
          } else {
            receiver.setTarget(target);
            new ProducerLink(session, receiver, codec, maxMessageSize, nodes, conn, flow, null, x)
                .start();
          }
        },
        found -> {});
  }

  /** The destination a terminus address names, of the kind its capabilities say. */
  private static Destination named(AmqpSession session, String address, Symbol[] capabilities) {
    String name = Terminus.name(address);
    return new Destination(
        name, DestinationNames.topic(session.vhost(), name), Terminus.kind(capabilities, address));
  }

  /**
   * Makes the destination ready ({@link Nodes#prepare}) and then, on the connection's thread, runs
   * {@code then}; refuses the link when the service refuses the destination. A destination made
   * ready before skips the service. {@code undo} runs when the attach does not go on.
   */
  private void prepared(
      AmqpSession session,
      ConnectionLinks conn,
      Link link,
      Destination dest,
      Consumer<TopicInfo> then,
      Runnable undo) {
    TopicInfo known = nodes.readyNow(dest);
    if (known != null) {
      then.accept(known);
      return;
    }
    var service = session.service();
    afterService(
        session,
        conn,
        link,
        () -> nodes.prepare(service, dest),
        ready -> {
          if (ready.isOk()) {
            then.accept(ready.value());
            return;
          }
          LOG.info(
              "peer {}: attach to {} refused: {}", session.peer(), dest.name(), ready.detail());
          LinkErrors.refuse(link, LinkErrors.of(ready.status(), ready.detail()));
          undo.run();
        },
        ready -> undo.run());
  }

  private Destination createTemporary(AmqpSession session, ConnectionLinks conn, Symbol[] caps) {
    boolean topic = Terminus.has(caps, Terminus.TEMP_TOPIC);
    String name =
        (topic ? Terminus.TEMP_TOPIC_NAME_PREFIX : Terminus.TEMP_QUEUE_NAME_PREFIX)
            + UUID.randomUUID();
    Destination d =
        new Destination(
            name,
            DestinationNames.topic(session.vhost(), name),
            topic ? Destination.Kind.TEMP_TOPIC : Destination.Kind.TEMP_QUEUE);
    // Registered now, made on the service's threads: the connection's end deletes it after that.
    nodes.registerTemporary(d.topic(), session.connectionId());
    conn.temporaries.add(d);
    return d;
  }

  // ------------------------------------------------------------------ the peer receives

  private void attachConsumer(AmqpSession session, ConnectionLinks conn, Sender sender) {
    sender.setSenderSettleMode(sender.getRemoteSenderSettleMode());
    sender.setReceiverSettleMode(ReceiverSettleMode.FIRST);
    sender.setTarget(sender.getRemoteTarget());
    if (!(sender.getRemoteSource() instanceof Source source)) {
      lookupSubscription(session, conn, sender);
      return;
    }
    Filters filters = Filters.of(source.getFilter());
    Source local = (Source) source.copy();
    local.setFilter(filters.accepted().isEmpty() ? null : filters.accepted());
    boolean owns = false;
    Destination dest;
    if (source.getDynamic()) {
      if (!dynamicSourceAllowed(sender, source)) {
        return;
      }
      dest = createTemporary(session, conn, source.getCapabilities());
      boolean v2 =
          Terminus.has(source.getCapabilities(), Terminus.VOLATILE_QUEUE)
              || Terminus.has(source.getCapabilities(), Terminus.TEMP_QUEUE) && !isJms(sender);
      local.setAddress(v2 ? AddressV2.queueAddress(dest.name()) : dest.name());
      owns = true;
    } else {
      if (source.getAddress() == null || source.getAddress().isEmpty()) {
        throw new IllegalArgumentException("a receiver link needs a source address");
      }
      if (AddressV2.isV2(source.getAddress())) {
        if (!(AddressV2.parse(source.getAddress()) instanceof AddressV2.QueueAddress)) {
          throw new IllegalArgumentException(
              "bad source address '" + source.getAddress() + "': expected /queues/:queue");
        }
        // RabbitMQ's consumer outcomes (amqp-jms.md 1.5)
        local.setDefaultOutcome(Released.getInstance());
        local.setOutcomes(Terminus.OUTCOMES);
      }
      dest = named(session, source.getAddress(), source.getCapabilities());
    }
    if (dest.kind().temporary()) {
      String owner = nodes.temporaryOwner(dest.topic());
      if (owner == null) {
        LinkErrors.refuse(
            sender,
            LinkErrors.error(AmqpError.NOT_FOUND, "no temporary destination " + dest.name()));
        return;
      }
      if (!owner.equals(session.connectionId())) {
        LinkErrors.refuse(
            sender,
            LinkErrors.error(
                AmqpError.UNAUTHORIZED_ACCESS,
                "only the connection that created " + dest.name() + " may consume from it"));
        return;
      }
    }
    ErrorCondition denied = LinkAccess.check(session, dest, Action.SUB);
    if (denied != null) {
      LinkErrors.refuse(sender, denied);
      return;
    }
    boolean ownsDest = owns;
    prepared(
        session,
        conn,
        sender,
        dest,
        ready -> {
          sender.setSource(local);
          if (dest.kind().queueLike()) {
            boolean browse = Terminus.COPY.equals(source.getDistributionMode());
            ConsumerLink.Ending ending =
                ownsDest ? closed -> dropTemporary(session, conn, dest) : closed -> {};
            startQueueConsumer(session, conn, sender, dest, filters, browse, ending);
          } else {
            subscribe(session, conn, sender, source, dest, filters, ownsDest);
          }
        },
        () -> {
          if (ownsDest) {
            dropTemporary(session, conn, dest);
          }
        });
  }

  /**
   * Whether a dynamic source may be made: {@code rabbitmq:volatile-queue} only pre-settled (it is
   * at-most-once); capabilities that name no kind of node Wharf makes get amqp:not-implemented.
   * Refuses the link otherwise.
   */
  private static boolean dynamicSourceAllowed(Sender sender, Source source) {
    Symbol[] caps = source.getCapabilities();
    if (Terminus.has(caps, Terminus.VOLATILE_QUEUE)) {
      if (sender.getRemoteSenderSettleMode() != SenderSettleMode.SETTLED) {
        LinkErrors.refuse(
            sender,
            LinkErrors.error(
                AmqpError.NOT_IMPLEMENTED,
                "rabbitmq:volatile-queue needs snd-settle-mode settled (at-most-once)"));
        return false;
      }
      return true;
    }
    if (caps != null
        && caps.length > 0
        && !Terminus.has(caps, Terminus.TEMP_QUEUE)
        && !Terminus.has(caps, Terminus.TEMP_TOPIC)) {
      LinkErrors.refuse(
          sender,
          LinkErrors.error(
              AmqpError.NOT_IMPLEMENTED,
              "dynamic source with capabilities " + java.util.Arrays.toString(caps)));
      return false;
    }
    return true;
  }

  /** RabbitMQ's test: the peer's open names a JMS product (Qpid JMS sends "QpidJMS"). */
  static boolean isJms(Link link) {
    Map<Symbol, Object> props = link.getSession().getConnection().getRemoteProperties();
    Object product = props == null ? null : props.get(Symbol.valueOf("product"));
    return product != null && product.toString().toLowerCase(java.util.Locale.ROOT).contains("jms");
  }

  private void dropTemporary(AmqpSession session, ConnectionLinks conn, Destination d) {
    if (conn.temporaries.remove(d)) {
      deleteTemporary(session, conn, d);
    }
  }

  private void startQueueConsumer(
      AmqpSession session,
      ConnectionLinks conn,
      Sender sender,
      Destination dest,
      Filters filters,
      boolean browse,
      ConsumerLink.Ending ending) {
    String group = DestinationNames.queueGroup(dest.topic());
    // The queue's consumer count (the /management node's consumer_count) includes this link
    // while it is open; the last one to leave deletes an auto-delete queue (lastConsumerLeft).
    boolean[] counted = {false};
    ConsumerLink[] self = new ConsumerLink[1];
    ConsumerLink.Ending counting =
        closed -> {
          // A single-active-consumer queue's next link takes over.
          declaredQueueLinks.leave(group, self[0]);
          if (counted[0]) {
            counted[0] = false;
            if (nodes.consumerLeft(group) && !browse) {
              lastConsumerLeft(session, conn, dest);
            }
          }
          ending.ended(closed);
        };
    ConsumerLink link = consumerLink(session, conn, sender, dest, filters, group, browse, counting);
    self[0] = link;
    Runnable start =
        () -> {
          link.start();
          if (!browse && !link.hasEnded()) {
            counted[0] = true;
            nodes.consumerJoined(group);
          }
        };
    if (!browse && !dest.kind().temporary()) {
      // A declared queue may be exclusive or have x-single-active-consumer: ask the service
      // before starting.
      link.pending();
      var service = session.service();
      conn.administer(service, () -> service.queue(session.vhost(), dest.name()))
          .whenCompleteAsync(
              (q, e) -> {
                if (link.isEnded()
                    || sender.getRemoteState()
                        == org.apache.qpid.proton.engine.EndpointState.CLOSED) {
                  return;
                }
                QueueSpec declared = e == null && q.isOk() ? q.value().spec() : null;
                if (declared != null
                    && declared.exclusive()
                    && !session.connectionId().equals(declared.owner())) {
                  LinkErrors.refuse(
                      sender,
                      LinkErrors.error(
                          RESOURCE_LOCKED,
                          "cannot obtain exclusive access to locked queue '"
                              + declared.name()
                              + "' in vhost '"
                              + declared.vhost()
                              + "'"));
                  return;
                }
                boolean single =
                    declared != null
                        && Boolean.TRUE.equals(
                            declared.arguments().get("x-single-active-consumer"));
                if (single && !declaredQueueLinks.join(group, link)) {
                  link.standby();
                }
                startQueueConsumer(session, sender, dest, filters, group, link, start);
              },
              session.executor());
      return;
    }
    startQueueConsumer(session, sender, dest, filters, group, link, start);
  }

  /** Starts a queue consumer's link ({@code start}), once its selector (if any) is known good. */
  private void startQueueConsumer(
      AmqpSession session,
      Sender sender,
      Destination dest,
      Filters filters,
      String group,
      ConsumerLink link,
      Runnable start) {
    String expr = filters.expression(session.connectionId());
    if (filters.type() == FilterType.TAG) {
      start.run();
      return;
    }
    // A bad selector refuses the attach; the service judges it, so ask with a one-message peek.
    // The endpoint is the link's context already (the transport routes a detach to it) but the
    // link opens only once the selector is known good.
    link.pending();
    session
        .service()
        .peek(new PeekCommand(group, dest.topic(), 1, FilterType.SQL92, expr, null))
        .whenCompleteAsync(
            (r, e) -> {
              if (sender.getRemoteState() == org.apache.qpid.proton.engine.EndpointState.CLOSED) {
                return; // the peer gave up on the attach meanwhile
              }
              if (e == null && r.status() == Status.ILLEGAL) {
                refuseSelector(session, sender, filters.selector(), r.detail());
              } else {
                start.run();
              }
            },
            session.executor());
  }

  private void refuseSelector(AmqpSession session, Sender sender, String selector, String why) {
    LOG.info("peer {}: selector '{}' refused: {}", session.peer(), selector, why);
    LinkErrors.refuse(
        sender, LinkErrors.error(AmqpError.INVALID_FIELD, "invalid selector: " + why));
  }

  private void subscribe(
      AmqpSession session,
      ConnectionLinks conn,
      Sender sender,
      Source source,
      Destination dest,
      Filters filters,
      boolean owns) {
    var service = session.service();
    boolean durable = source.getDurable() != null && source.getDurable() != TerminusDurability.NONE;
    boolean shared = Terminus.has(source.getCapabilities(), Terminus.SHARED);
    boolean global = Terminus.has(source.getCapabilities(), Terminus.GLOBAL);
    String subName = subscriptionName(sender.getName());
    String scope = global ? null : session.containerId();
    String group;
    ConsumerLink.Ending ending;
    if (durable) {
      group = DestinationNames.durableGroup(session.vhost(), scope, subName);
      ending =
          closed -> {
            if (closed) {
              unsubscribe(session, conn, group);
            }
          };
    } else if (shared) {
      group = DestinationNames.sharedVolatileGroup(session.vhost(), scope, subName);
      ending = closed -> leaveShared(session, conn, group);
    } else {
      group = DestinationNames.volatileGroup(session.connectionId(), conn.nextSerial());
      ending =
          closed -> {
            unsubscribe(session, conn, group);
            if (owns) {
              dropTemporary(session, conn, dest);
            }
          };
    }
    String connectionId = session.connectionId();
    afterService(
        session,
        conn,
        sender,
        () -> {
          // joinShared may wait for another connection's link: on the service's threads
          Result<Void> s =
              !durable && shared
                  ? nodes.joinShared(
                      group,
                      () -> makeSubscription(service, group, dest, filters, false, connectionId))
                  : makeSubscription(service, group, dest, filters, durable, connectionId);
          if (!s.isOk() && !durable && !shared) {
            nodes.deleteGroup(service, group);
          }
          return s;
        },
        s -> {
          if (!s.isOk()) {
            if (s.status() == Status.ILLEGAL && filters.selector() != null) {
              refuseSelector(session, sender, filters.selector(), s.detail());
            } else {
              LinkErrors.refuse(sender, LinkErrors.of(s.status(), s.detail()));
            }
            if (owns) {
              dropTemporary(session, conn, dest);
            }
            return;
          }
          subscriptionFilters.put(group, filters);
          Source local = (Source) sender.getSource();
          local.setCapabilities(Terminus.TOPIC);
          startSubscriber(session, conn, sender, dest, filters, group, ending);
        },
        s -> {
          if (s != null && s.isOk()) {
            ending.ended(false); // made, but its link is gone: as if it ended now
            return;
          }
          if (s == null && !durable && !shared) {
            unsubscribe(session, conn, group); // the work failed half-way
          }
          if (owns) {
            dropTemporary(session, conn, dest);
          }
        });
  }

  private void leaveShared(AmqpSession session, ConnectionLinks conn, String group) {
    var service = session.service();
    conn.administerInBackground(
        service,
        "leaving shared subscription " + group,
        () -> {
          if (nodes.leaveShared(service, group)) {
            subscriptionFilters.remove(group);
          }
        });
  }

  /** Makes (or finds again, for a durable one) a subscription's group and its subscription. */
  private static Result<Void> makeSubscription(
      MessagingService service,
      String group,
      Destination dest,
      Filters filters,
      boolean durable,
      String connectionId) {
    Result<Void> g =
        service.ensureGroup(
            new io.wharfmq.service.GroupSettings(
                group, Nodes.MAX_DELIVERIES, true, durable, durable));
    if (!g.isOk()) {
      return g;
    }
    if (durable) {
      for (String old : service.topicsOf(group)) {
        if (!old.equals(dest.topic()) && !old.startsWith("%")) {
          service.unsubscribe(group, old); // re-attached to another topic: JMS recreates it
        }
      }
      // links held them in a process that is gone: nobody can settle them (docs/amqp.md)
      service.returnDeliveriesFromBeforeStart(group);
    }
    return service.subscribe(
        new io.wharfmq.service.Subscription(
            group,
            dest.topic(),
            filters.type(),
            filters.expression(durable ? DURABLE_NO_LOCAL_KEY : connectionId),
            true));
  }

  private void startSubscriber(
      AmqpSession session,
      ConnectionLinks conn,
      Sender sender,
      Destination dest,
      Filters filters,
      String group,
      ConsumerLink.Ending ending) {
    consumerLink(session, conn, sender, dest, filters, group, false, ending).start();
  }

  /** A consumer link of {@code group} on {@code dest} that watches the group's deletions. */
  private ConsumerLink consumerLink(
      AmqpSession session,
      ConnectionLinks conn,
      Sender sender,
      Destination dest,
      Filters filters,
      String group,
      boolean browse,
      ConsumerLink.Ending ending) {
    nodes.track(group);
    return new ConsumerLink(
            session,
            sender,
            codec,
            conn,
            group,
            dest.topic(),
            filters.type(),
            filters.expression(session.connectionId()),
            browse,
            ending,
            invisibleMillis)
        .watch(nodes)
        .followedBy(holdsProducers(dest, filters, group, browse) ? flow : null);
  }

  /**
   * Whether the link's progress may hold producers (docs/amqp.md, "Flow control"): not a browser,
   * which takes nothing, and not a queue consumer with a selector, which leaves the messages it
   * does not match in the queue's backlog for others.
   */
  private static boolean holdsProducers(
      Destination dest, Filters filters, String group, boolean browse) {
    return !browse
        && (filters.type() == FilterType.TAG
            || !group.equals(DestinationNames.queueGroup(dest.topic())));
  }

  private void unsubscribe(AmqpSession session, ConnectionLinks conn, String group) {
    subscriptionFilters.remove(group);
    var service = session.service();
    conn.administerInBackground(
        service, "deleting group " + group, () -> nodes.deleteGroup(service, group));
  }

  /**
   * A receiver attach with no source: Qpid JMS looks up a durable subscription by its link name
   * before unsubscribing (reference 2.5). Known: the reply carries its source, and a closing detach
   * deletes it. Unknown: refused with amqp:not-found.
   */
  private void lookupSubscription(AmqpSession session, ConnectionLinks conn, Sender sender) {
    var service = session.service();
    boolean global = Terminus.has(sender.getRemoteDesiredCapabilities(), Terminus.GLOBAL);
    String group =
        DestinationNames.durableGroup(
            session.vhost(),
            global ? null : session.containerId(),
            subscriptionName(sender.getName()));
    String topic = null;
    if (service.group(group) != null) {
      for (String t : service.topicsOf(group)) {
        if (!t.startsWith("%")) {
          topic = t;
          break;
        }
      }
    }
    if (topic == null) {
      LinkErrors.refuse(
          sender, LinkErrors.error(AmqpError.NOT_FOUND, "no subscription " + sender.getName()));
      return;
    }
    ErrorCondition denied = LinkAccess.check(session, Resource.topic(topic), Action.SUB);
    if (denied != null) {
      LinkErrors.refuse(sender, denied);
      return;
    }
    Filters filters = subscriptionFilters.getOrDefault(group, Filters.of(null));
    Source local = new Source();
    String name = DestinationNames.destination(session.vhost(), topic);
    local.setAddress(name == null ? topic : name);
    local.setDurable(TerminusDurability.UNSETTLED_STATE);
    local.setExpiryPolicy(TerminusExpiryPolicy.NEVER);
    local.setDistributionMode(Terminus.COPY);
    local.setCapabilities(Terminus.TOPIC);
    local.setFilter(filters.accepted().isEmpty() ? null : filters.accepted());
    sender.setSource(local);
    // The lookup only answers: it takes no messages (a waiting POP would still be running when
    // the closing detach deletes the group, and what it took would land in a subscription made
    // again under the same name).
    sender.setContext(new SubscriptionLookupLink(() -> unsubscribe(session, conn, group)));
    sender.open();
  }

  /** Qpid JMS link names carry {@code |2}, {@code |global}, {@code |volatile1}... suffixes. */
  static String subscriptionName(String linkName) {
    int bar = linkName.indexOf('|');
    return bar < 0 ? linkName : linkName.substring(0, bar);
  }
}
