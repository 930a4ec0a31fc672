package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.BytesMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.InvalidClientIDException;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JMS API against one broker under test, through the provider its {@link
 * AmqpBrokerUnderTest#suiteFactory} gives: client IDs, exception listener and metadata, stop and
 * start, queues, topics, no-local, message groups, durable, shared durable and shared non-durable
 * subscriptions, selectors over headers and typed properties, temporary destinations for
 * request/reply, browsers, transacted sessions, CLIENT_ACKNOWLEDGE with recover, DUPS_OK, async
 * sends, receiveNoWait, listener failures, delivery delay, TTL, every message type with typed
 * properties, redelivery marks, order per producer, and the reply-to / correlation-id / type
 * headers.
 *
 * <p>One subclass per broker and provider. The Artemis JMS client over Artemis core ({@link
 * ArtemisCoreJmsInteropTest}) is the reference: every test here must pass there, or the test is
 * wrong; where a provider legitimately differs the difference is a method of {@link
 * AmqpBrokerUnderTest}. Qpid JMS's own expiry filter is off ({@link
 * AmqpBrokerUnderTest#jmsFactory}), so "expired is never delivered" is the broker's doing.
 *
 * <p>One broker per class (started in {@code @BeforeAll}); each test uses destinations of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class JmsConformanceSuite {
  /** How long a receive waits for a message that must come. */
  static final long RECEIVE_MS = 10_000;

  /** How long a receive waits to show that a message does not come. */
  static final long ABSENT_MS = 1_000;

  private AmqpBrokerUnderTest broker;
  private final List<Connection> connections = new ArrayList<>();

  /** The broker this subclass tests, not started yet. */
  abstract AmqpBrokerUnderTest newBroker();

  @BeforeAll
  void startBroker(@TempDir Path dir) throws Exception {
    broker = newBroker();
    broker.start(dir.resolve(broker.name()));
  }

  @AfterAll
  void stopBroker() throws Exception {
    if (broker != null) {
      broker.stop();
    }
  }

  @BeforeEach
  void noConnections() {
    connections.clear();
  }

  @AfterEach
  void closeConnections() {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (JMSException e) {
        // the test's own result matters, not a failed close of a broken connection
      }
    }
  }

  /** A started connection, closed after the test. */
  Connection connect() throws JMSException {
    return connect(null, "");
  }

  Connection connect(String clientId, String options) throws JMSException {
    Connection c = broker.suiteFactory(options).createConnection();
    connections.add(c);
    if (clientId != null) {
      c.setClientID(clientId);
    }
    c.start();
    return c;
  }

  static String unique(String prefix) {
    return AmqpBrokerUnderTest.unique(prefix);
  }

  /** An AUTO_ACKNOWLEDGE session on a started connection of its own, closed after the test. */
  Session newSession() throws JMSException {
    return connect().createSession(false, Session.AUTO_ACKNOWLEDGE);
  }

  /** The next {@code count} messages of {@code consumer}; each must come within RECEIVE_MS. */
  static List<Message> receive(MessageConsumer consumer, int count) throws JMSException {
    List<Message> got = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Message m = consumer.receive(RECEIVE_MS);
      assertThat(m).as("message %d of %d", i + 1, count).isNotNull();
      got.add(m);
    }
    return got;
  }

  static List<String> texts(MessageConsumer consumer, int count) throws JMSException {
    return receive(consumer, count).stream().map(JmsConformanceSuite::text).toList();
  }

  static void sendTexts(Session s, MessageProducer p, String... bodies) throws JMSException {
    for (String b : bodies) {
      p.send(s.createTextMessage(b));
    }
  }

  /**
   * Sends {@code prefix0 .. prefix<n-1>} to {@code to} from a session of its own; {@code a} and
   * {@code b} together must receive each exactly once.
   */
  void assertSplitBetween(
      MessageConsumer a, MessageConsumer b, Destination to, String prefix, int n)
      throws JMSException {
    Session ps = newSession();
    sendTexts(ps, ps.createProducer(to), numbered(prefix, n).toArray(String[]::new));
    assertThat(drainBoth(a, b, n))
        .as("each message to exactly one of the two")
        .hasSize(n)
        .containsExactlyInAnyOrderElementsOf(numbered(prefix, n));
  }

  // ---------------------------------------------------------------- connections

  @Test
  void aClientIdInUseIsRefusedToASecondConnection() throws Exception {
    String clientId = unique("client");
    connect(clientId, "");
    Connection second = broker.suiteFactory("").createConnection();
    connections.add(second);

    // Qpid JMS opens the connection (and hears the refusal) lazily, on first use.
    assertThatThrownBy(
            () -> {
              second.setClientID(clientId);
              second.start();
              second.createSession(false, Session.AUTO_ACKNOWLEDGE).close();
            })
        .isInstanceOf(InvalidClientIDException.class);
  }

  @Test
  void exceptionListenerIsKeptAndMetaDataIsSane() throws Exception {
    Connection c = connect();
    ExceptionListener listener = e -> {};
    c.setExceptionListener(listener);
    assertThat(c.getExceptionListener()).isSameAs(listener);

    ConnectionMetaData md = c.getMetaData();
    assertThat(md.getJMSMajorVersion()).isGreaterThanOrEqualTo(2);
    assertThat(md.getJMSVersion()).startsWith(md.getJMSMajorVersion() + ".");
    assertThat(md.getJMSProviderName()).isNotBlank();
    assertThat(md.getProviderVersion()).isNotBlank();
    assertThat(md.getProviderMajorVersion()).isNotNegative();
    List<Object> jmsx = new ArrayList<>();
    for (var names = md.getJMSXPropertyNames(); names.hasMoreElements(); ) {
      jmsx.add(names.nextElement());
    }
    assertThat(jmsx)
        .as("JMS 2.0 section 3.5.9: every provider supports groups")
        .contains("JMSXGroupID", "JMSXGroupSeq");
  }

  @Test
  void stopHoldsDeliveriesToAListenerAndStartResumesThem() throws Exception {
    Connection c = connect();
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue q = s.createQueue(unique("stop"));
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    s.createConsumer(q).setMessageListener(m -> got.add(text(m)));
    Session ps = newSession();
    MessageProducer p = ps.createProducer(q);
    p.send(ps.createTextMessage("while started"));
    assertThat(got.poll(RECEIVE_MS, TimeUnit.MILLISECONDS)).isEqualTo("while started");

    c.stop();
    p.send(ps.createTextMessage("while stopped"));
    assertThat(got.poll(ABSENT_MS, TimeUnit.MILLISECONDS)).as("held while stopped").isNull();
    c.start();

    assertThat(got.poll(RECEIVE_MS, TimeUnit.MILLISECONDS)).isEqualTo("while stopped");
  }

  // ---------------------------------------------------------------- queues and topics

  @Test
  void queueDeliversEachMessageOnceInSendOrder() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("q"));
    MessageProducer p = s.createProducer(q);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add("m" + i);
      p.send(s.createTextMessage("m" + i));
    }

    MessageConsumer consumer = s.createConsumer(q);

    assertThat(texts(consumer, 50)).containsExactlyElementsOf(sent);
    assertThat(consumer.receive(ABSENT_MS)).as("nothing twice").isNull();
  }

  @Test
  void competingQueueConsumersShareTheMessages() throws Exception {
    Connection c = connect();
    Session s1 = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Session s2 = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue q = s1.createQueue(unique("compete"));
    MessageConsumer a = s1.createConsumer(q);
    MessageConsumer b = s2.createConsumer(q);

    assertSplitBetween(a, b, q, "c", 20);
  }

  @Test
  void messagesOfEachProducerArriveInTheirSendOrder() throws Exception {
    Connection c = connect();
    Session s1 = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Session s2 = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue q = s1.createQueue(unique("order"));
    MessageProducer p1 = s1.createProducer(q);
    MessageProducer p2 = s2.createProducer(q);
    for (int i = 0; i < 30; i++) {
      p1.send(s1.createTextMessage("a" + i));
      p2.send(s2.createTextMessage("b" + i));
    }

    MessageConsumer consumer = newSession().createConsumer(q);
    List<String> got = texts(consumer, 60);

    assertThat(got.stream().filter(t -> t.startsWith("a")))
        .containsExactlyElementsOf(numbered("a", 30));
    assertThat(got.stream().filter(t -> t.startsWith("b")))
        .containsExactlyElementsOf(numbered("b", 30));
  }

  @Test
  void receiveNoWaitReturnsNullOnAnEmptyQueueAndTheMessageOnceItIsThere() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("nowait"));
    MessageConsumer consumer = s.createConsumer(q);
    assertThat(consumer.receiveNoWait()).isNull();
    sendTexts(s, s.createProducer(q), "now");

    // A provider may answer from what it has fetched already: ask until the message is there.
    List<Message> got = new ArrayList<>();
    Awaitility.await("receiveNoWait returns the message")
        .atMost(Duration.ofMillis(RECEIVE_MS))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> got.add(consumer.receiveNoWait()) && got.get(got.size() - 1) != null);

    assertThat(text(got.get(got.size() - 1))).isEqualTo("now");
    assertThat(consumer.receiveNoWait()).isNull();
  }

  @Test
  void asyncSendsCallTheirCompletionListenersInSendOrder() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("async"));
    MessageProducer p = s.createProducer(q);
    List<String> completed = Collections.synchronizedList(new ArrayList<>());
    List<Exception> failed = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(5);
    CompletionListener listener =
        new CompletionListener() {
          @Override
          public void onCompletion(Message m) {
            completed.add(text(m));
            done.countDown();
          }

          @Override
          public void onException(Message m, Exception e) {
            failed.add(e);
            done.countDown();
          }
        };
    for (String body : numbered("a", 5)) {
      p.send(s.createTextMessage(body), listener);
    }

    assertThat(done.await(RECEIVE_MS, TimeUnit.MILLISECONDS)).as("every send completed").isTrue();
    assertThat(failed).isEmpty();
    assertThat(completed).containsExactlyElementsOf(numbered("a", 5));
    assertThat(texts(s.createConsumer(q), 5)).containsExactlyElementsOf(numbered("a", 5));
  }

  @Test
  void aGroupsMessagesGoInOrderToOneConsumer() throws Exception {
    Connection c = connect();
    Session s1 = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Session s2 = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue q = s1.createQueue(unique("groups"));
    MessageConsumer a = s1.createConsumer(q);
    MessageConsumer b = s2.createConsumer(q);
    Session ps = newSession();
    MessageProducer p = ps.createProducer(q);
    for (int i = 0; i < 3; i++) {
      for (String group : List.of("red", "blue")) {
        TextMessage m = ps.createTextMessage(group + i);
        m.setStringProperty("JMSXGroupID", group);
        m.setIntProperty("JMSXGroupSeq", i + 1);
        p.send(m);
      }
    }

    List<List<String>> got = drainEach(a, b, 6);

    if (!broker.keepsMessageGroups()) {
      assertThat(got.stream().flatMap(List::stream))
          .containsExactlyInAnyOrder("red0", "blue0", "red1", "blue1", "red2", "blue2");
      return;
    }
    for (String group : List.of("red", "blue")) {
      List<List<String>> holders =
          got.stream()
              .map(l -> l.stream().filter(t -> t.startsWith(group)).toList())
              .filter(l -> !l.isEmpty())
              .toList();
      assertThat(holders).as("consumers of group %s", group).hasSize(1);
      assertThat(holders.get(0)).containsExactlyElementsOf(numbered(group, 3));
    }
  }

  @Test
  void dupsOkAcknowledgeDeliversAndConsumesTheMessages() throws Exception {
    Connection c = connect();
    Session s = c.createSession(false, Session.DUPS_OK_ACKNOWLEDGE);
    assertThat(s.getAcknowledgeMode()).isEqualTo(Session.DUPS_OK_ACKNOWLEDGE);
    Queue q = s.createQueue(unique("dupsok"));
    sendTexts(s, s.createProducer(q), numbered("d", 4).toArray(String[]::new));
    MessageConsumer consumer = s.createConsumer(q);

    assertThat(texts(consumer, 4)).containsExactlyElementsOf(numbered("d", 4));
    consumer.close();

    MessageConsumer after = newSession().createConsumer(q);
    assertThat(after.receive(ABSENT_MS)).as("closing the consumer acknowledged them").isNull();
  }

  static List<String> numbered(String prefix, int n) {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(prefix + i);
    }
    return l;
  }

  @Test
  void topicGivesEverySubscriberEveryMessageSentWhileItListens() throws Exception {
    Session s = newSession();
    Topic t = s.createTopic(unique("t"));
    MessageProducer p = s.createProducer(t);
    p.send(s.createTextMessage("before anyone listened"));
    MessageConsumer one = s.createConsumer(t);
    MessageConsumer two = newSession().createConsumer(t);

    sendTexts(s, p, "x", "y");

    assertThat(texts(one, 2)).containsExactly("x", "y");
    assertThat(texts(two, 2)).containsExactly("x", "y");
    assertThat(one.receive(ABSENT_MS)).isNull();
  }

  @Test
  void anonymousProducerRoutesToQueuesAndTopics() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("anonq"));
    Topic t = s.createTopic(unique("anont"));
    MessageConsumer qc = s.createConsumer(q);
    MessageConsumer tc = s.createConsumer(t);
    MessageProducer anonymous = s.createProducer(null);

    anonymous.send(q, s.createTextMessage("to the queue"));
    anonymous.send(t, s.createTextMessage("to the topic"));

    Message mq = qc.receive(RECEIVE_MS);
    Message mt = tc.receive(RECEIVE_MS);
    assertThat(((TextMessage) mq).getText()).isEqualTo("to the queue");
    assertThat(((Queue) mq.getJMSDestination()).getQueueName()).isEqualTo(q.getQueueName());
    assertThat(((TextMessage) mt).getText()).isEqualTo("to the topic");
    assertThat(((Topic) mt.getJMSDestination()).getTopicName()).isEqualTo(t.getTopicName());
  }

  @Test
  void aNoLocalSubscriberSkipsItsOwnConnectionsMessages() throws Exception {
    Session s = newSession();
    Topic t = s.createTopic(unique("nolocal"));
    MessageConsumer noLocal = s.createConsumer(t, null, true);
    s.createProducer(t).send(s.createTextMessage("own"));
    Session other = newSession();
    other.createProducer(t).send(other.createTextMessage("another connection's"));

    assertThat(texts(noLocal, 1)).containsExactly("another connection's");
    assertThat(noLocal.receive(ABSENT_MS)).as("its own connection's message").isNull();
  }

  // ---------------------------------------------------------------- subscriptions

  @Test
  void durableSubscriptionKeepsMessagesWhileAwayUntilUnsubscribed() throws Exception {
    String clientId = unique("client");
    String topicName = unique("dt");
    Connection c = connect(clientId, "");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Topic t = s.createTopic(topicName);
    MessageConsumer sub = s.createDurableConsumer(t, "sub");
    MessageProducer p = newSession().createProducer(t);
    Session ps = newSession();
    p.send(ps.createTextMessage("while listening"));
    assertThat(texts(sub, 1)).containsExactly("while listening");

    sub.close();
    p.send(ps.createTextMessage("while away 1"));
    p.send(ps.createTextMessage("while away 2"));
    c.close();

    Connection back = connect(clientId, "");
    Session bs = back.createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageConsumer again = bs.createDurableConsumer(bs.createTopic(topicName), "sub");
    assertThat(texts(again, 2)).containsExactly("while away 1", "while away 2");

    assertThatThrownBy(() -> bs.unsubscribe("sub"))
        .as("unsubscribing a subscription that has an active consumer")
        .isInstanceOf(JMSException.class);
    again.close();
    bs.unsubscribe("sub");
    p.send(ps.createTextMessage("after unsubscribe"));
    MessageConsumer fresh = bs.createDurableConsumer(bs.createTopic(topicName), "sub");
    assertThat(fresh.receive(ABSENT_MS)).as("a new subscription starts empty").isNull();
  }

  /**
   * JMS 2.0 (8.3): a durable subscription taken again with another selector or no-local is an
   * unsubscribe and a new subscription, which starts empty; the same selector keeps the backlog.
   */
  @Test
  void aChangedSelectorMakesADurableSubscriptionNewAndTheSameOneKeepsIt() throws Exception {
    String clientId = unique("client");
    String topicName = unique("dsel");
    Session ps = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageProducer p = ps.createProducer(ps.createTopic(topicName));
    Connection c = connect(clientId, "");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    s.createDurableConsumer(s.createTopic(topicName), "sub", "n >= 0", false).close();
    for (int i = 0; i < 4; i++) {
      TextMessage m = ps.createTextMessage("old" + i);
      m.setIntProperty("n", i);
      p.send(m);
    }
    MessageConsumer same =
        s.createDurableConsumer(s.createTopic(topicName), "sub", "n >= 0", false);
    assertThat(texts(same, 1)).as("the same selector keeps the backlog").containsExactly("old0");
    same.close();

    MessageConsumer changed =
        s.createDurableConsumer(s.createTopic(topicName), "sub", "n >= 1", false);
    assertThat(changed.receive(ABSENT_MS)).as("a new subscription starts empty").isNull();
    TextMessage m = ps.createTextMessage("new");
    m.setIntProperty("n", 5);
    p.send(m);
    assertThat(texts(changed, 1)).containsExactly("new");
    changed.close();

    MessageConsumer noLocal =
        s.createDurableConsumer(s.createTopic(topicName), "sub", "n >= 1", true);
    assertThat(noLocal.receive(ABSENT_MS)).as("no-local changed: new again").isNull();
    noLocal.close();
    s.unsubscribe("sub");
  }

  @Test
  void aDurableSubscriptionMadeAgainBeforeThePublishGetsIt() throws Exception {
    // The old consumer's link was waiting for a message when it closed: that wait must not take
    // the message meant for the subscription made again under the same name.
    Connection c = connect(unique("client"), "");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Topic t = s.createTopic(unique("again"));
    MessageConsumer old = s.createDurableConsumer(t, "sub");
    assertThat(old.receive(ABSENT_MS)).isNull();
    old.close();
    s.unsubscribe("sub");
    MessageConsumer fresh = s.createDurableConsumer(t, "sub");
    Session ps = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);
    ps.createProducer(t).send(ps.createTextMessage("for the new subscription"));

    assertThat(texts(fresh, 1)).containsExactly("for the new subscription");
  }

  @Test
  void sharedDurableSubscriptionSplitsMessagesAndOtherSubscriptionsGetAll() throws Exception {
    Session s1 = newSession();
    Session s2 = newSession();
    Topic t = s1.createTopic(unique("sdt"));
    MessageConsumer a = s1.createSharedDurableConsumer(t, "shared");
    MessageConsumer b = s2.createSharedDurableConsumer(t, "shared");
    MessageConsumer other = s2.createSharedDurableConsumer(t, "other");

    assertSplitBetween(a, b, t, "s", 20);
    assertThat(texts(other, 20)).containsExactlyElementsOf(numbered("s", 20));

    a.close();
    b.close();
    other.close();
    s1.unsubscribe("shared");
    s2.unsubscribe("other");
  }

  @Test
  void unsubscribingASharedDurableSubscriptionWithAnActiveConsumerElsewhere() throws Exception {
    Session holder = newSession();
    Topic t = holder.createTopic(unique("busy"));
    MessageConsumer active = holder.createSharedDurableConsumer(t, "busy");
    Session other = newSession();

    if (broker.refusesUnsubscribeWhileAnotherConnectionConsumes()) {
      assertThatThrownBy(() -> other.unsubscribe("busy"))
          .as("JMS 2.0 section 8.3.2: not while a consumer is active")
          .isInstanceOf(JMSException.class);
      active.close();
    }
    other.unsubscribe("busy");
    Session ps = newSession();
    ps.createProducer(t).send(ps.createTextMessage("after unsubscribe"));
    MessageConsumer fresh = other.createSharedDurableConsumer(t, "busy");
    assertThat(fresh.receive(ABSENT_MS)).as("a new subscription starts empty").isNull();
    fresh.close();
    other.unsubscribe("busy");
  }

  @Test
  void sharedNonDurableSubscriptionSplitsMessagesAcrossConnections() throws Exception {
    Session s1 = newSession();
    Session s2 = newSession();
    Topic t = s1.createTopic(unique("snt"));
    MessageConsumer a = s1.createSharedConsumer(t, "volatile");
    MessageConsumer b = s2.createSharedConsumer(t, "volatile");

    assertSplitBetween(a, b, t, "v", 20);
  }

  /** Receives {@code total} messages from two consumers together, then checks there is no more. */
  static List<String> drainBoth(MessageConsumer a, MessageConsumer b, int total) {
    List<List<String>> each = drainEach(a, b, total);
    List<String> got = new ArrayList<>(each.get(0));
    got.addAll(each.get(1));
    return got;
  }

  /** The texts {@code a} and {@code b} received, in their order, {@code total} messages in all. */
  static List<List<String>> drainEach(MessageConsumer a, MessageConsumer b, int total) {
    List<List<String>> got = List.of(new ArrayList<>(), new ArrayList<>());
    List<MessageConsumer> consumers = List.of(a, b);
    Awaitility.await(total + " messages over two consumers")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              for (int i = 0; i < 2; i++) {
                Message m = consumers.get(i).receive(50);
                if (m != null) {
                  got.get(i).add(((TextMessage) m).getText());
                }
              }
              return got.get(0).size() + got.get(1).size() >= total;
            });
    return got;
  }

  // ---------------------------------------------------------------- selectors

  @Test
  void selectorOnHeadersAndTypedPropertiesFiltersOnTheBroker() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("sel"));
    MessageProducer p = s.createProducer(q);
    send(s, p, "match", "order", 5, 2.5, true, "red", 7);
    send(s, p, "low-count", "order", 2, 2.5, true, "red", 7);
    send(s, p, "wrong-type", "invoice", 5, 2.5, true, "red", 7);
    send(s, p, "flag-off", "order", 5, 2.5, false, "red", 7);
    send(s, p, "low-priority", "order", 5, 2.5, true, "red", 1);
    send(s, p, "wrong-colour", "order", 9, 3.0, true, "blue", 8);
    send(s, p, "match2", "order", 4, 3.5, true, "rose", 9);

    MessageConsumer selected =
        s.createConsumer(
            q,
            "JMSType = 'order' AND JMSPriority > 4 AND qty >= 4 AND ratio > 2.0"
                + " AND urgent = TRUE AND colour LIKE 'r%'");
    // Any order: the two differ in priority, and a broker may deliver higher priorities first.
    assertThat(texts(selected, 2)).containsExactlyInAnyOrder("match", "match2");
    assertThat(selected.receive(ABSENT_MS)).isNull();
    selected.close();

    MessageConsumer rest = s.createConsumer(q);
    assertThat(texts(rest, 5))
        .as("what the selector skipped stays in the queue")
        .containsExactlyInAnyOrder(
            "low-count", "wrong-type", "flag-off", "low-priority", "wrong-colour");
  }

  private static void send(
      Session s,
      MessageProducer p,
      String body,
      String type,
      int qty,
      double ratio,
      boolean urgent,
      String colour,
      int priority)
      throws JMSException {
    TextMessage m = s.createTextMessage(body);
    m.setJMSType(type);
    m.setIntProperty("qty", qty);
    m.setDoubleProperty("ratio", ratio);
    m.setBooleanProperty("urgent", urgent);
    m.setStringProperty("colour", colour);
    p.send(m, DeliveryMode.PERSISTENT, priority, 0);
  }

  @Test
  void selectorOnATopicSubscription() throws Exception {
    Session s = newSession();
    Topic t = s.createTopic(unique("selt"));
    MessageConsumer big = s.createConsumer(t, "size > 10");
    MessageConsumer all = s.createConsumer(t);
    MessageProducer p = s.createProducer(t);
    for (long size : new long[] {5, 50, 10, 11}) {
      TextMessage m = s.createTextMessage("size " + size);
      m.setLongProperty("size", size);
      p.send(m);
    }

    assertThat(texts(big, 2)).containsExactly("size 50", "size 11");
    assertThat(big.receive(ABSENT_MS)).isNull();
    assertThat(texts(all, 4)).hasSize(4);
  }

  // ---------------------------------------------------------------- temporary destinations

  @Test
  void requestReplyOverATemporaryQueue() throws Exception {
    Session server = newSession();
    Queue requests = server.createQueue(unique("requests"));
    MessageConsumer serverIn = server.createConsumer(requests);
    MessageProducer serverOut = server.createProducer(null);

    Session client = newSession();
    TemporaryQueue replies = client.createTemporaryQueue();
    MessageConsumer clientIn = client.createConsumer(replies);
    TextMessage request = client.createTextMessage("ping");
    request.setJMSReplyTo(replies);
    request.setJMSCorrelationID("corr-1");
    client.createProducer(requests).send(request);

    Message got = serverIn.receive(RECEIVE_MS);
    assertThat(got).isNotNull();
    assertThat(got.getJMSReplyTo()).isInstanceOf(TemporaryQueue.class);
    TextMessage reply = server.createTextMessage("pong");
    reply.setJMSCorrelationID(got.getJMSCorrelationID());
    serverOut.send(got.getJMSReplyTo(), reply);

    Message answer = clientIn.receive(RECEIVE_MS);
    assertThat(((TextMessage) answer).getText()).isEqualTo("pong");
    assertThat(answer.getJMSCorrelationID()).isEqualTo("corr-1");

    clientIn.close();
    replies.delete();
  }

  @Test
  void temporaryTopicDeliversToItsSubscribers() throws Exception {
    Session s = newSession();
    TemporaryTopic tt = s.createTemporaryTopic();
    MessageConsumer one = s.createConsumer(tt);
    MessageConsumer two = s.createConsumer(tt);
    Session other = newSession();
    other.createProducer(tt).send(other.createTextMessage("to the temporary topic"));

    assertThat(texts(one, 1)).containsExactly("to the temporary topic");
    assertThat(texts(two, 1)).containsExactly("to the temporary topic");
  }

  // ---------------------------------------------------------------- browsing

  @Test
  void browserSeesTheQueueWithoutTakingIt() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("browse"));
    MessageProducer p = s.createProducer(q);
    sendTexts(s, p, "b0", "b1", "b2", "b3", "b4");

    List<String> seen = new ArrayList<>();
    try (QueueBrowser browser = s.createBrowser(q)) {
      var e = browser.getEnumeration();
      while (e.hasMoreElements()) {
        seen.add(((TextMessage) e.nextElement()).getText());
      }
    }
    assertThat(seen).containsExactly("b0", "b1", "b2", "b3", "b4");

    assertThat(texts(s.createConsumer(q), 5)).containsExactly("b0", "b1", "b2", "b3", "b4");
  }

  // ---------------------------------------------------------------- transactions

  @Test
  void transactedSendsAreVisibleOnlyAfterCommitAndRollbackDiscardsThem() throws Exception {
    Connection c = connect();
    Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
    Queue q = tx.createQueue(unique("txsend"));
    MessageProducer p = tx.createProducer(q);
    MessageConsumer consumer = newSession().createConsumer(q);

    sendTexts(tx, p, "rolled back 1", "rolled back 2");
    assertThat(consumer.receive(ABSENT_MS)).as("uncommitted sends are invisible").isNull();
    tx.rollback();
    sendTexts(tx, p, "committed 1", "committed 2");
    tx.commit();

    assertThat(texts(consumer, 2)).containsExactly("committed 1", "committed 2");
    assertThat(consumer.receive(ABSENT_MS)).isNull();
  }

  @Test
  void transactedReceivesReturnOnRollbackAndAreGoneAfterCommit() throws Exception {
    Connection c = connect();
    Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue q = plain.createQueue(unique("txrecv"));
    sendTexts(plain, plain.createProducer(q), "r1", "r2");

    Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
    MessageConsumer consumer = tx.createConsumer(q);
    Message first = consumer.receive(RECEIVE_MS);
    assertThat(((TextMessage) first).getText()).isEqualTo("r1");
    assertThat(first.getJMSRedelivered()).isFalse();
    tx.rollback();

    List<Message> again = receive(consumer, 2);
    assertThat(((TextMessage) again.get(0)).getText()).isEqualTo("r1");
    assertThat(again.get(0).getJMSRedelivered()).as("r1 came back after the rollback").isTrue();
    assertThat(((TextMessage) again.get(1)).getText()).isEqualTo("r2");
    tx.commit();
    consumer.close();

    MessageConsumer after = newSession().createConsumer(q);
    assertThat(after.receive(ABSENT_MS)).as("committed receives are gone").isNull();
  }

  // ---------------------------------------------------------------- acknowledgement and redelivery

  @Test
  void clientAcknowledgeRecoverRedeliversWithRedeliveredMarks() throws Exception {
    Connection c = connect();
    Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
    Queue q = s.createQueue(unique("recover"));
    sendTexts(s, s.createProducer(q), "k1", "k2", "k3");
    MessageConsumer consumer = s.createConsumer(q);

    List<Message> first = receive(consumer, 3);
    assertThat(first.get(0).getJMSRedelivered()).isFalse();
    assertThat(first.get(0).getIntProperty("JMSXDeliveryCount")).isEqualTo(1);
    s.recover();

    List<Message> second = receive(consumer, 3);
    assertThat(second.stream().map(JmsConformanceSuite::text)).containsExactly("k1", "k2", "k3");
    for (Message m : second) {
      assertThat(m.getJMSRedelivered()).isTrue();
      assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
    }
    second.get(2).acknowledge();
    consumer.close();

    MessageConsumer after = newSession().createConsumer(q);
    assertThat(after.receive(ABSENT_MS))
        .as("acknowledge acked every message of the session")
        .isNull();
  }

  @Test
  void unacknowledgedMessagesOfAClosedConnectionAreRedelivered() throws Exception {
    Connection first = connect();
    Session s = first.createSession(false, Session.CLIENT_ACKNOWLEDGE);
    Queue q = s.createQueue(unique("redeliver"));
    sendTexts(s, s.createProducer(q), "once more");
    Message m = s.createConsumer(q).receive(RECEIVE_MS);
    assertThat(text(m)).isEqualTo("once more");
    first.close();

    Message again =
        connect()
            .createSession(false, Session.AUTO_ACKNOWLEDGE)
            .createConsumer(q)
            .receive(RECEIVE_MS);

    assertThat(text(again)).isEqualTo("once more");
    assertThat(again.getJMSRedelivered()).isTrue();
    assertThat(again.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
  }

  @Test
  void aMessageWhoseListenerThrowsComesAgain() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("throws"));
    BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
    AtomicInteger calls = new AtomicInteger();
    s.createConsumer(q)
        .setMessageListener(
            m -> {
              seen.add(m);
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("the listener fails (as the test wants)");
              }
            });

    sendTexts(s, s.createProducer(q), "fragile");

    Message first = seen.poll(RECEIVE_MS, TimeUnit.MILLISECONDS);
    Message again = seen.poll(RECEIVE_MS, TimeUnit.MILLISECONDS);
    assertThat(text(first)).isEqualTo("fragile");
    assertThat(first.getJMSRedelivered()).isFalse();
    assertThat(text(again)).as("given again after the listener threw").isEqualTo("fragile");
    assertThat(again.getJMSRedelivered()).isEqualTo(broker.marksRedeliveryAfterAListenerThrew());
  }

  static String text(Message m) {
    try {
      return ((TextMessage) m).getText();
    } catch (JMSException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- time: delay and TTL

  @Test
  void deliveryDelayHoldsTheMessageBack() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("delay"));
    MessageConsumer consumer = s.createConsumer(q);
    MessageProducer p = s.createProducer(q);
    p.setDeliveryDelay(2_000);
    long sent = System.currentTimeMillis();
    p.send(s.createTextMessage("later"));

    assertThat(consumer.receive(500)).as("not before its delivery time").isNull();
    Message m = consumer.receive(RECEIVE_MS);

    assertThat(text(m)).isEqualTo("later");
    assertThat(System.currentTimeMillis() - sent).isGreaterThanOrEqualTo(1_900);
    assertThat(m.getJMSDeliveryTime()).isGreaterThanOrEqualTo(sent + 2_000);
  }

  @Test
  void anExpiredMessageIsNeverDelivered() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("ttl"));
    MessageProducer p = s.createProducer(q);
    p.setTimeToLive(300);
    p.send(s.createTextMessage("expires"));
    long expiresAt = p.getTimeToLive() + System.currentTimeMillis();
    p.setTimeToLive(0);
    p.send(s.createTextMessage("lives"));
    p.setTimeToLive(60_000);
    p.send(s.createTextMessage("lives long"));
    Awaitility.await("the first message's expiry time has passed")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> System.currentTimeMillis() > expiresAt + 200);

    MessageConsumer consumer = s.createConsumer(q);

    Message lives = consumer.receive(RECEIVE_MS);
    assertThat(text(lives)).isEqualTo("lives");
    assertThat(lives.getJMSExpiration()).isZero();
    Message livesLong = consumer.receive(RECEIVE_MS);
    assertThat(text(livesLong)).isEqualTo("lives long");
    assertThat(livesLong.getJMSExpiration()).isGreaterThan(System.currentTimeMillis());
    assertThat(consumer.receive(ABSENT_MS)).isNull();
  }

  // ---------------------------------------------------------------- message types and headers

  @Test
  void everyMessageTypeArrivesWithItsBodyAndTypedProperties() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("types"));
    MessageProducer p = s.createProducer(q);

    List<Message> all = everyType(s);
    int n = 0;
    for (Message m : all) {
      setTypedProperties(m, n++);
      p.send(m);
    }

    List<Message> got = receive(s.createConsumer(q), all.size());

    assertThat(((TextMessage) got.get(0)).getText()).isEqualTo("héllo, wörld");
    BytesMessage b = (BytesMessage) got.get(1);
    byte[] body = new byte[(int) b.getBodyLength()];
    b.readBytes(body);
    assertThat(body).containsExactly(0, 1, 2, 0xff);
    MapMessage mm = (MapMessage) got.get(2);
    assertThat(mm.getObject("s")).isEqualTo("v");
    assertThat(mm.getObject("i")).isEqualTo(42);
    assertThat(mm.getObject("l")).isEqualTo(1L << 40);
    assertThat(mm.getObject("d")).isEqualTo(0.25);
    assertThat(mm.getObject("b")).isEqualTo(true);
    assertThat(mm.getBytes("raw")).containsExactly(9, 8);
    StreamMessage sm = (StreamMessage) got.get(3);
    assertThat(sm.readObject()).isEqualTo("first");
    assertThat(sm.readObject()).isEqualTo(7);
    assertThat(sm.readObject()).isEqualTo(false);
    assertThat(((ObjectMessage) got.get(4)).getObject()).isEqualTo(new Payload("obj", 3));
    assertThat(got.get(5))
        .isNotInstanceOfAny(
            TextMessage.class,
            BytesMessage.class,
            MapMessage.class,
            StreamMessage.class,
            ObjectMessage.class);
    for (int i = 0; i < got.size(); i++) {
      assertThat(typedProperties(got.get(i)))
          .as("properties of message %d", i)
          .isEqualTo(expectedProperties(i));
    }
  }

  /** A Text, Bytes, Map, Stream, Object and plain message, in that order. */
  static List<Message> everyType(Session s) throws JMSException {
    TextMessage text = s.createTextMessage("héllo, wörld");
    BytesMessage bytes = s.createBytesMessage();
    bytes.writeBytes(new byte[] {0, 1, 2, (byte) 0xff});
    MapMessage map = s.createMapMessage();
    map.setString("s", "v");
    map.setInt("i", 42);
    map.setLong("l", 1L << 40);
    map.setDouble("d", 0.25);
    map.setBoolean("b", true);
    map.setBytes("raw", new byte[] {9, 8});
    StreamMessage stream = s.createStreamMessage();
    stream.writeString("first");
    stream.writeInt(7);
    stream.writeBoolean(false);
    ObjectMessage object = s.createObjectMessage(new Payload("obj", 3));
    Message bare = s.createMessage();
    return List.of(text, bytes, map, stream, object, bare);
  }

  /** A serializable body for ObjectMessage. */
  record Payload(String name, int count) implements Serializable {}

  static void setTypedProperties(Message m, int n) throws JMSException {
    m.setBooleanProperty("pBoolean", true);
    m.setByteProperty("pByte", (byte) -7);
    m.setShortProperty("pShort", (short) 1234);
    m.setIntProperty("pInt", n);
    m.setLongProperty("pLong", Long.MAX_VALUE - n);
    m.setFloatProperty("pFloat", 1.5f);
    m.setDoubleProperty("pDouble", -2.75);
    m.setStringProperty("pString", "text " + n);
  }

  static Map<String, Object> expectedProperties(int n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pBoolean", true);
    m.put("pByte", (byte) -7);
    m.put("pShort", (short) 1234);
    m.put("pInt", n);
    m.put("pLong", Long.MAX_VALUE - n);
    m.put("pFloat", 1.5f);
    m.put("pDouble", -2.75);
    m.put("pString", "text " + n);
    return m;
  }

  static Map<String, Object> typedProperties(Message m) throws JMSException {
    Map<String, Object> got = new LinkedHashMap<>();
    for (String name : expectedProperties(0).keySet()) {
      got.put(name, m.getObjectProperty(name));
    }
    return got;
  }

  @Test
  void replyToCorrelationIdTypeAndPriorityTravelWithTheMessage() throws Exception {
    Session s = newSession();
    Queue q = s.createQueue(unique("headers"));
    Queue replyQueue = s.createQueue(unique("reply"));
    Topic replyTopic = s.createTopic(unique("replytopic"));
    MessageProducer p = s.createProducer(q);
    TextMessage one = s.createTextMessage("one");
    one.setJMSReplyTo(replyQueue);
    one.setJMSCorrelationID("corr-42");
    one.setJMSType("invoice");
    p.send(one, DeliveryMode.PERSISTENT, 7, 0);
    TextMessage two = s.createTextMessage("two");
    two.setJMSReplyTo(replyTopic);
    two.setJMSCorrelationIDAsBytes(new byte[] {1, 2, 3});
    p.send(two, DeliveryMode.NON_PERSISTENT, 2, 0);

    MessageConsumer consumer = s.createConsumer(q);
    Message a = consumer.receive(RECEIVE_MS);
    Message b = consumer.receive(RECEIVE_MS);

    assertThat(a.getJMSMessageID()).isEqualTo(one.getJMSMessageID()).startsWith("ID:");
    assertThat(((Queue) a.getJMSReplyTo()).getQueueName()).isEqualTo(replyQueue.getQueueName());
    assertThat(a.getJMSCorrelationID()).isEqualTo("corr-42");
    assertThat(a.getJMSType()).isEqualTo("invoice");
    assertThat(a.getJMSPriority()).isEqualTo(7);
    assertThat(a.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
    assertThat(a.getJMSTimestamp()).isEqualTo(one.getJMSTimestamp());
    assertThat(b.getJMSReplyTo()).isInstanceOf(Topic.class);
    assertThat(((Topic) b.getJMSReplyTo()).getTopicName()).isEqualTo(replyTopic.getTopicName());
    assertThat(b.getJMSCorrelationIDAsBytes()).containsExactly(1, 2, 3);
    assertThat(b.getJMSPriority()).isEqualTo(2);
    assertThat(b.getJMSDeliveryMode()).isEqualTo(DeliveryMode.NON_PERSISTENT);
  }
}
