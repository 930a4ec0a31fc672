package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * AMQP transactions against a real Wharf process with Qpid JMS transacted sessions (docs/amqp.md,
 * "Transactions"): a commit makes many sends visible together, a rollback discards them, a send
 * refused inside a transaction (over amqpMaxMessageSize, or to a name Wharf refuses) makes the
 * commit fail with none of the transaction's sends visible, acks held by a transaction longer than
 * the invisibility time stay invisible to other consumers, and a kill -9 with a transaction open
 * leaves none of its sends visible after the restart. Wharf only: these are Wharf's guarantees (the
 * suite's plain transaction tests run against Artemis too).
 *
 * <p>The broker runs with amqpInvisibleTimeMs=3000 and amqpMaxMessageSize=65536, so that holding
 * acks past the invisibility time and refusing a large message take seconds and kilobytes.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WharfAmqpTransactionInteropTest {
  static final long INVISIBLE_MS = 3_000;
  static final int MAX_MESSAGE = 64 * 1024;
  static final String[] SETTINGS = {
    "amqpInvisibleTimeMs=" + INVISIBLE_MS,
    "amqpMaxMessageSize=" + MAX_MESSAGE,
    "transactionTimeOut=1000",
    "transactionCheckInterval=500"
  };
  static final long RECEIVE_MS = 10_000;
  static final long ABSENT_MS = 1_500;

  @TempDir static Path shared;
  static WharfAmqpBroker broker;
  private final List<Connection> connections = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    broker = new WharfAmqpBroker().configure(null, SETTINGS);
    broker.start(shared.resolve("wharf"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.stop();
    printNotable(broker);
  }

  /** The broker's warnings and transaction lines, for the test's output. */
  private static void printNotable(WharfAmqpBroker b) throws java.io.IOException {
    b.output()
        .lines()
        .filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("ransaction"))
        .limit(300)
        .forEach(l -> System.out.println("wharf: " + l));
  }

  @AfterEach
  void closeConnections() {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (JMSException | RuntimeException e) {
        // the broker may be gone (kill test)
      }
    }
    connections.clear();
  }

  private Connection connect(AmqpBrokerUnderTest b) throws JMSException {
    Connection c = b.jmsFactory("").createConnection();
    connections.add(c);
    c.start();
    return c;
  }

  private MessageConsumer plainConsumer(AmqpBrokerUnderTest b, String queue) throws JMSException {
    Session s = connect(b).createSession(false, Session.AUTO_ACKNOWLEDGE);
    return s.createConsumer(s.createQueue(queue));
  }

  private static List<String> texts(MessageConsumer c, int n) throws JMSException {
    List<String> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Message m = c.receive(RECEIVE_MS);
      assertThat(m).as("message %d of %d", i + 1, n).isNotNull();
      got.add(((TextMessage) m).getText());
    }
    return got;
  }

  private static List<String> numbered(String prefix, int n) {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(prefix + i);
    }
    return l;
  }

  private static void send(Session s, MessageProducer p, List<String> texts) throws JMSException {
    for (String t : texts) {
      p.send(s.createTextMessage(t));
    }
  }

  // ---------------------------------------------------------------- sends

  @Test
  void aCommitMakesManySendsToTwoQueuesVisibleTogether() throws Exception {
    String q1 = AmqpBrokerUnderTest.unique("txmany-a");
    String q2 = AmqpBrokerUnderTest.unique("txmany-b");
    MessageConsumer c1 = plainConsumer(broker, q1);
    MessageConsumer c2 = plainConsumer(broker, q2);
    Session tx = connect(broker).createSession(true, Session.SESSION_TRANSACTED);
    MessageProducer p1 = tx.createProducer(tx.createQueue(q1));
    MessageProducer p2 = tx.createProducer(tx.createQueue(q2));
    send(tx, p1, numbered("a", 300));
    send(tx, p2, numbered("b", 300));

    assertThat(c1.receive(ABSENT_MS)).as("nothing visible before the commit").isNull();
    assertThat(c2.receiveNoWait()).isNull();
    tx.commit();

    assertThat(texts(c1, 300)).containsExactlyElementsOf(numbered("a", 300));
    assertThat(texts(c2, 300)).containsExactlyElementsOf(numbered("b", 300));
    assertThat(c1.receive(ABSENT_MS)).isNull();
  }

  @Test
  void aRollbackDiscardsEverySendOfTheTransaction() throws Exception {
    String q = AmqpBrokerUnderTest.unique("txroll");
    MessageConsumer consumer = plainConsumer(broker, q);
    Session tx = connect(broker).createSession(true, Session.SESSION_TRANSACTED);
    MessageProducer p = tx.createProducer(tx.createQueue(q));
    send(tx, p, numbered("gone", 100));
    tx.rollback();
    send(tx, p, List.of("kept"));
    tx.commit();

    assertThat(texts(consumer, 1)).containsExactly("kept");
    assertThat(consumer.receive(ABSENT_MS)).as("rolled-back sends never appear").isNull();
  }

  @Test
  void aMessageOverTheSizeLimitFailsTheCommitAndNoneOfItsSendsAppears() throws Exception {
    String q = AmqpBrokerUnderTest.unique("txlarge");
    MessageConsumer consumer = plainConsumer(broker, q);
    Session tx = connect(broker).createSession(true, Session.SESSION_TRANSACTED);
    Queue queue = tx.createQueue(q);
    MessageProducer p = tx.createProducer(queue);
    send(tx, p, numbered("before", 20));
    try {
      // The link of this producer is detached with amqp:link:message-size-exceeded.
      MessageProducer big = tx.createProducer(queue);
      big.send(tx.createTextMessage("x".repeat(2 * MAX_MESSAGE)));
    } catch (JMSException refusedAtSend) {
      // Qpid JMS may report the refusal here or only at the commit
    }
    send(tx, p, numbered("after", 20));
    assertThatThrownBy(tx::commit)
        .as("the commit of a transaction with a refused send")
        .isInstanceOf(JMSException.class);

    assertThat(consumer.receive(ABSENT_MS)).as("none of the transaction's sends").isNull();
    send(tx, p, List.of("next"));
    tx.commit();
    assertThat(texts(consumer, 1)).containsExactly("next");
  }

  @Test
  void aMessageTheStoreRefusesFailsTheCommitAndNoneOfItsSendsAppears() throws Exception {
    String q = AmqpBrokerUnderTest.unique("txstore");
    MessageConsumer consumer = plainConsumer(broker, q);
    Session tx = connect(broker).createSession(true, Session.SESSION_TRANSACTED);
    MessageProducer p = tx.createProducer(tx.createQueue(q));
    send(tx, p, numbered("before", 10));
    // Within amqpMaxMessageSize, but its properties exceed what one stored record can carry.
    TextMessage refused = tx.createTextMessage("refused");
    refused.setStringProperty("big", "p".repeat(40_000));
    try {
      p.send(refused);
    } catch (JMSException refusedAtSend) {
      // Qpid JMS may report the refusal here or only at the commit
    }
    send(tx, p, numbered("after", 10));
    assertThatThrownBy(tx::commit).isInstanceOf(JMSException.class);

    assertThat(consumer.receive(ABSENT_MS)).as("none of the transaction's sends").isNull();
  }

  // ---------------------------------------------------------------- acks

  /**
   * Sends {@code texts} to {@code queue}, receives them in a transacted session and closes its
   * consumer: the acks stay in the open transaction, and no link renews them any more.
   */
  private Session receivedInATransaction(String queue, List<String> texts) throws JMSException {
    Session plain = connect(broker).createSession(false, Session.AUTO_ACKNOWLEDGE);
    send(plain, plain.createProducer(plain.createQueue(queue)), texts);
    Session tx = connect(broker).createSession(true, Session.SESSION_TRANSACTED);
    MessageConsumer mine = tx.createConsumer(tx.createQueue(queue));
    assertThat(texts(mine, texts.size())).containsExactlyElementsOf(texts);
    mine.close();
    return tx;
  }

  @Test
  void acksHeldLongerThanTheInvisibilityTimeAreNotRedeliveredElsewhere() throws Exception {
    String q = AmqpBrokerUnderTest.unique("txhold");
    Session tx = receivedInATransaction(q, numbered("held", 3));

    MessageConsumer other = plainConsumer(broker, q);
    assertThat(other.receive(3 * INVISIBLE_MS))
        .as("acked in an open transaction for three invisibility times: not handed to others")
        .isNull();
    tx.commit();
    assertThat(other.receive(INVISIBLE_MS + ABSENT_MS)).as("committed acks are final").isNull();
  }

  @Test
  void aRollbackAfterTheInvisibilityTimeReturnsTheHeldMessagesCountedOnce() throws Exception {
    String q = AmqpBrokerUnderTest.unique("txholdroll");
    Session tx = receivedInATransaction(q, numbered("back", 2));

    MessageConsumer other = plainConsumer(broker, q);
    assertThat(other.receive(2 * INVISIBLE_MS)).isNull();
    tx.rollback();
    List<Message> back = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      back.add(other.receive(RECEIVE_MS));
    }
    assertThat(back).doesNotContainNull();
    List<String> texts = new ArrayList<>();
    for (Message m : back) {
      texts.add(((TextMessage) m).getText());
      assertThat(m.getJMSRedelivered()).isTrue();
      assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
    }
    assertThat(texts).containsExactlyInAnyOrderElementsOf(numbered("back", 2));
    assertThat(other.receive(ABSENT_MS)).isNull();
  }

  // ---------------------------------------------------------------- crash

  @Test
  void killNineWithATransactionOpenLeavesNoneOfItsSendsAfterTheRestart(@TempDir Path dir)
      throws Exception {
    WharfAmqpBroker crashing = new WharfAmqpBroker().configure(null, SETTINGS);
    crashing.start(dir.resolve("wharf"));
    try {
      String q = AmqpBrokerUnderTest.unique("txcrash");
      // Synchronous sends: each returns once Wharf stored it (invisible) in the transaction.
      Connection c = crashing.jmsFactory("jms.forceSyncSend=true").createConnection();
      connections.add(c);
      Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
      MessageProducer p = tx.createProducer(tx.createQueue(q));
      send(tx, p, numbered("committed", 5));
      tx.commit();
      send(tx, p, numbered("open", 50));
      crashing.kill();
      closeConnections();

      crashing.restart();
      MessageConsumer consumer = plainConsumer(crashing, q);
      assertThat(texts(consumer, 5)).containsExactlyElementsOf(numbered("committed", 5));
      Awaitility.await("the check rolls back the dead transaction's half messages")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  crashing
                          .output()
                          .lines()
                          .filter(l -> l.contains("rolled back: the transaction is no longer open"))
                          .count()
                      >= 50);
      assertThat(consumer.receive(ABSENT_MS)).as("none of the open transaction's sends").isNull();
    } finally {
      crashing.stop();
      printNotable(crashing);
    }
  }
}
