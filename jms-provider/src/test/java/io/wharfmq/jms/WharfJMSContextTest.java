package io.wharfmq.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.InvalidDestinationRuntimeException;
import jakarta.jms.InvalidSelectorRuntimeException;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatRuntimeException;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.Topic;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simplified API against a real Wharf process: contexts of this provider's connection factory
 * (over the native protocol), and one over Qpid JMS's connection to the same Wharf's AMQP listener
 * (WharfJMSContext is written over the jakarta.jms interfaces only, so it works over any provider's
 * connection).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WharfJMSContextTest {
  private static final long RECEIVE_MS = 10_000;

  /** How long a test waits to see that a message does not come. */
  private static final long ABSENT_MS = 500;

  private WharfStandaloneProcess wharf;
  private JmsConnectionFactory qpid;
  private WharfConnectionFactory factory;
  private final List<JMSContext> contexts = new ArrayList<>();

  @BeforeAll
  void startWharf(@TempDir Path dir) throws Exception {
    wharf = WharfStandaloneProcess.start(dir);
    qpid = new JmsConnectionFactory(wharf.amqpUri());
    factory = new WharfConnectionFactory("wharf://" + wharf.namesrvAddr());
  }

  @AfterAll
  void stopWharf() {
    if (wharf != null) {
      wharf.close();
    }
  }

  @AfterEach
  void closeContexts() {
    for (JMSContext c : contexts) {
      try {
        c.close();
      } catch (JMSRuntimeException e) {
        // the test's own result matters, not a failed close
      }
    }
    contexts.clear();
  }

  /** A context of this provider's factory, closed after the test. */
  private JMSContext context(int sessionMode) throws JMSException {
    JMSContext c = factory.createContext(sessionMode);
    contexts.add(c);
    return c;
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void eachBodyKindArrivesAndReceiveBodyGivesItBack() throws Exception {
    JMSContext ctx = context(JMSContext.AUTO_ACKNOWLEDGE);
    Queue q = ctx.createQueue(unique("bodies"));
    JMSConsumer consumer = ctx.createConsumer(q);
    JMSProducer producer = ctx.createProducer();
    producer.send(q, "text");
    producer.send(q, Map.of("n", 1, "s", "v"));
    producer.send(q, new byte[] {1, 2, 3});
    producer.send(q, new ArrayList<>(List.of("a", "b")));
    producer.send(q, ctx.createTextMessage("a message"));

    assertThat(consumer.receiveBody(String.class, RECEIVE_MS)).isEqualTo("text");
    Map<?, ?> map = consumer.receiveBody(Map.class, RECEIVE_MS);
    assertThat(map).isEqualTo(Map.of("n", 1, "s", "v"));
    assertThat(consumer.receiveBody(byte[].class, RECEIVE_MS)).containsExactly(1, 2, 3);
    assertThat(consumer.receiveBody(Serializable.class, RECEIVE_MS)).isEqualTo(List.of("a", "b"));
    assertThat(consumer.receiveBody(String.class, RECEIVE_MS)).isEqualTo("a message");
    assertThat(consumer.receiveBodyNoWait(String.class)).isNull();
  }

  @Test
  void producerPropertiesHeadersAndOptionsTravelWithTheMessage() throws Exception {
    JMSContext ctx = context(JMSContext.AUTO_ACKNOWLEDGE);
    Queue q = ctx.createQueue(unique("headers"));
    Queue replyTo = ctx.createQueue(unique("reply"));
    JMSConsumer consumer = ctx.createConsumer(q);
    JMSProducer producer =
        ctx.createProducer()
            .setProperty("flag", true)
            .setProperty("small", (byte) 3)
            .setProperty("count", 7)
            .setProperty("big", 8L)
            .setProperty("ratio", 1.5d)
            .setProperty("label", "x")
            .setProperty("boxed", (Object) Short.valueOf((short) 4))
            .setJMSCorrelationID("corr-1")
            .setJMSType("kind")
            .setJMSReplyTo(replyTo)
            .setPriority(7)
            .setDeliveryMode(DeliveryMode.NON_PERSISTENT)
            .setTimeToLive(60_000);

    assertThat(producer.getPropertyNames())
        .containsExactlyInAnyOrder("flag", "small", "count", "big", "ratio", "label", "boxed");
    assertThat(producer.getLongProperty("count")).isEqualTo(7L);
    assertThat(producer.getIntProperty("small")).isEqualTo(3);
    assertThat(producer.getStringProperty("ratio")).isEqualTo("1.5");
    assertThat(producer.getBooleanProperty("absent")).isFalse();
    assertThat(producer.propertyExists("label")).isTrue();
    assertThatThrownBy(() -> producer.getIntProperty("flag"))
        .isInstanceOf(MessageFormatRuntimeException.class);
    assertThatThrownBy(() -> producer.setProperty("bad", new Object()))
        .isInstanceOf(MessageFormatRuntimeException.class);
    assertThatThrownBy(() -> producer.setPriority(10)).isInstanceOf(JMSRuntimeException.class);

    producer.send(q, "with headers");
    Message m = consumer.receive(RECEIVE_MS);
    assertThat(m).isNotNull();
    assertThat(m.getBooleanProperty("flag")).isTrue();
    assertThat(m.getByteProperty("small")).isEqualTo((byte) 3);
    assertThat(m.getIntProperty("count")).isEqualTo(7);
    assertThat(m.getLongProperty("big")).isEqualTo(8L);
    assertThat(m.getDoubleProperty("ratio")).isEqualTo(1.5d);
    assertThat(m.getStringProperty("label")).isEqualTo("x");
    assertThat(m.getShortProperty("boxed")).isEqualTo((short) 4);
    assertThat(m.getJMSCorrelationID()).isEqualTo("corr-1");
    assertThat(m.getJMSType()).isEqualTo("kind");
    assertThat(((Queue) m.getJMSReplyTo()).getQueueName()).isEqualTo(replyTo.getQueueName());
    assertThat(m.getJMSPriority()).isEqualTo(7);
    assertThat(m.getJMSDeliveryMode()).isEqualTo(DeliveryMode.NON_PERSISTENT);
    assertThat(m.getJMSExpiration()).isPositive();

    producer.clearProperties().setJMSCorrelationIDAsBytes(new byte[] {'i', 'd'});
    assertThat(producer.getPropertyNames()).isEmpty();
    assertThat(producer.getJMSCorrelationID()).isEqualTo("id");
  }

  @Test
  void aTransactedContextSendsAndReceivesOnlyOnCommit() throws Exception {
    JMSContext tx = context(JMSContext.SESSION_TRANSACTED);
    JMSContext plain = tx.createContext(JMSContext.AUTO_ACKNOWLEDGE);
    contexts.add(plain);
    assertThat(tx.getTransacted()).isTrue();
    assertThat(plain.getTransacted()).isFalse();
    Queue q = tx.createQueue(unique("tx"));

    JMSConsumer observer = plain.createConsumer(q);
    tx.createProducer().send(q, "one");
    assertThat(observer.receive(ABSENT_MS)).as("not before the commit").isNull();
    tx.commit();
    assertThat(observer.receiveBody(String.class, RECEIVE_MS)).isEqualTo("one");
    observer.close();

    tx.createProducer().send(q, "discarded");
    tx.rollback();
    plain.createProducer().send(q, "two");
    JMSConsumer consumer = tx.createConsumer(q);
    Message first = consumer.receive(RECEIVE_MS);
    assertThat(first.getBody(String.class)).isEqualTo("two");
    assertThat(first.getJMSRedelivered()).isFalse();
    tx.rollback();
    Message again = consumer.receive(RECEIVE_MS);
    assertThat(again.getBody(String.class)).isEqualTo("two");
    assertThat(again.getJMSRedelivered()).isTrue();
    tx.commit();
    assertThat(consumer.receive(ABSENT_MS)).as("gone after the commit").isNull();
  }

  @Test
  void clientAcknowledgeRecoversUntilAcknowledged() throws Exception {
    JMSContext ctx = context(JMSContext.CLIENT_ACKNOWLEDGE);
    Queue q = ctx.createQueue(unique("ack"));
    ctx.createProducer().send(q, "a").send(q, "b");
    JMSConsumer consumer = ctx.createConsumer(q);
    assertThat(consumer.receiveBody(String.class, RECEIVE_MS)).isEqualTo("a");
    assertThat(consumer.receiveBody(String.class, RECEIVE_MS)).isEqualTo("b");
    ctx.recover();
    Message redelivered = consumer.receive(RECEIVE_MS);
    assertThat(redelivered.getBody(String.class)).isEqualTo("a");
    assertThat(redelivered.getJMSRedelivered()).isTrue();
    assertThat(consumer.receiveBody(String.class, RECEIVE_MS)).isEqualTo("b");
    ctx.acknowledge();
    ctx.close();

    JMSContext later = context(JMSContext.AUTO_ACKNOWLEDGE);
    assertThat(later.createConsumer(q).receive(ABSENT_MS)).as("both acknowledged").isNull();
  }

  @Test
  void anAsyncSendCallsItsCompletionListener() throws Exception {
    JMSContext ctx = context(JMSContext.AUTO_ACKNOWLEDGE);
    Queue q = ctx.createQueue(unique("async"));
    CompletableFuture<Message> completed = new CompletableFuture<>();
    CompletionListener listener =
        new CompletionListener() {
          @Override
          public void onCompletion(Message message) {
            completed.complete(message);
          }

          @Override
          public void onException(Message message, Exception exception) {
            completed.completeExceptionally(exception);
          }
        };
    JMSProducer producer = ctx.createProducer().setAsync(listener);
    assertThat(producer.getAsync()).isSameAs(listener);
    producer.send(q, "async");
    assertThat(completed.get(RECEIVE_MS, TimeUnit.MILLISECONDS).getBody(String.class))
        .isEqualTo("async");
    assertThat(ctx.createConsumer(q).receiveBody(String.class, RECEIVE_MS)).isEqualTo("async");
  }

  @Test
  void contextsMadeFromAContextShareItsConnectionClosedWithTheLast() throws Exception {
    Connection connection = qpid.createConnection();
    JMSContext first = WharfJMSContext.over(connection, JMSContext.AUTO_ACKNOWLEDGE);
    contexts.add(first);
    String clientId = unique("cid");
    first.setClientID(clientId);
    ExceptionListener exceptions = e -> {};
    first.setExceptionListener(exceptions);
    JMSContext second = first.createContext(JMSContext.CLIENT_ACKNOWLEDGE);
    contexts.add(second);
    assertThat(second.getClientID()).isEqualTo(clientId);
    assertThat(second.getExceptionListener()).isSameAs(exceptions);
    assertThat(second.getSessionMode()).isEqualTo(JMSContext.CLIENT_ACKNOWLEDGE);
    assertThat(second.getMetaData().getJMSMajorVersion()).isGreaterThanOrEqualTo(2);
    Queue q = first.createQueue(unique("shared"));

    first.close();
    assertThatThrownBy(first::createProducer).isInstanceOf(IllegalStateRuntimeException.class);
    second.createProducer().send(q, "still open");
    assertThat(second.createConsumer(q).receiveBody(String.class, RECEIVE_MS))
        .isEqualTo("still open");
    assertThat(connection.getClientID()).isEqualTo(clientId);

    second.close();
    assertThatThrownBy(connection::getClientID)
        .as("the last context closed the connection")
        .isInstanceOf(jakarta.jms.IllegalStateException.class);
  }

  @Test
  void autoStartOffHoldsDeliveriesUntilStart() throws Exception {
    JMSContext ctx = context(JMSContext.AUTO_ACKNOWLEDGE);
    ctx.setAutoStart(false);
    assertThat(ctx.getAutoStart()).isFalse();
    Queue q = ctx.createQueue(unique("autostart"));
    JMSConsumer consumer = ctx.createConsumer(q);
    ctx.createProducer().send(q, "held");
    assertThat(consumer.receive(ABSENT_MS)).as("the connection is not started").isNull();
    ctx.start();
    assertThat(consumer.receiveBody(String.class, RECEIVE_MS)).isEqualTo("held");
  }

  @Test
  void browsersTemporaryQueuesAndListeners() throws Exception {
    JMSContext ctx = context(JMSContext.AUTO_ACKNOWLEDGE);
    Queue q = ctx.createQueue(unique("browse"));
    ctx.createProducer().send(q, "b1").send(q, "b2");
    QueueBrowser browser = ctx.createBrowser(q);
    List<String> seen = new ArrayList<>();
    Enumeration<?> browsed = browser.getEnumeration();
    while (browsed.hasMoreElements()) {
      seen.add(((Message) browsed.nextElement()).getBody(String.class));
    }
    assertThat(seen).containsExactly("b1", "b2");
    browser.close();

    TemporaryQueue temp = ctx.createTemporaryQueue();
    CompletableFuture<String> heard = new CompletableFuture<>();
    JMSConsumer listening = ctx.createConsumer(temp);
    listening.setMessageListener(
        m -> {
          try {
            heard.complete(m.getBody(String.class));
          } catch (JMSException e) {
            heard.completeExceptionally(e);
          }
        });
    assertThat(listening.getMessageListener()).isNotNull();
    ctx.createProducer().send(temp, "to the temporary queue");
    assertThat(heard.get(RECEIVE_MS, TimeUnit.MILLISECONDS)).isEqualTo("to the temporary queue");
    listening.close();
    temp.delete();
  }

  @Test
  void durableAndSharedSubscriptions() throws Exception {
    JMSContext ctx = context(JMSContext.AUTO_ACKNOWLEDGE);
    ctx.setClientID(unique("durable"));
    Topic t = ctx.createTopic(unique("events"));
    ctx.createDurableConsumer(t, "sub").close();
    JMSConsumer shared = ctx.createSharedConsumer(t, "shared-sub");
    JMSConsumer sharedDurable = ctx.createSharedDurableConsumer(t, "shared-durable-sub");
    ctx.createProducer().send(t, "published");
    assertThat(shared.receiveBody(String.class, RECEIVE_MS)).isEqualTo("published");
    assertThat(sharedDurable.receiveBody(String.class, RECEIVE_MS)).isEqualTo("published");
    JMSConsumer durable = ctx.createDurableConsumer(t, "sub");
    assertThat(durable.receiveBody(String.class, RECEIVE_MS))
        .as("kept while the durable subscriber was away")
        .isEqualTo("published");
    durable.close();
    sharedDurable.close();
    ctx.unsubscribe("sub");
    ctx.unsubscribe("shared-durable-sub");
  }

  @Test
  void aListenerMayNotCloseItsOwnContext() throws Exception {
    JMSContext ctx = context(JMSContext.AUTO_ACKNOWLEDGE);
    Queue q = ctx.createQueue(unique("selfclose"));
    CompletableFuture<RuntimeException> refusal = new CompletableFuture<>();
    ctx.createConsumer(q)
        .setMessageListener(
            m -> {
              try {
                ctx.close();
                refusal.complete(null);
              } catch (RuntimeException e) {
                refusal.complete(e);
              }
            });
    context(JMSContext.AUTO_ACKNOWLEDGE).createProducer().send(q, "close yourself");
    assertThat(refusal.get(RECEIVE_MS, TimeUnit.MILLISECONDS))
        .isInstanceOf(IllegalStateRuntimeException.class);
    assertThat(ctx.getSessionMode()).as("still open").isEqualTo(JMSContext.AUTO_ACKNOWLEDGE);
  }

  @Test
  void checkedExceptionsBecomeTheirRuntimeCounterparts() throws Exception {
    JMSContext ctx = context(JMSContext.AUTO_ACKNOWLEDGE);
    Queue q = ctx.createQueue(unique("errors"));
    assertThatThrownBy(ctx::commit)
        .isInstanceOf(IllegalStateRuntimeException.class)
        .hasCauseInstanceOf(jakarta.jms.IllegalStateException.class);
    assertThatThrownBy(() -> ctx.setClientID("too-late"))
        .as("the connection is in use already")
        .isInstanceOf(IllegalStateRuntimeException.class);
    assertThatThrownBy(() -> ctx.createConsumer(q, "a = = b"))
        .isInstanceOf(InvalidSelectorRuntimeException.class);
    assertThatThrownBy(() -> ctx.createProducer().send(null, "x"))
        .isInstanceOf(InvalidDestinationRuntimeException.class);
    assertThatThrownBy(() -> ctx.createContext(7)).isInstanceOf(JMSRuntimeException.class);

    ctx.createProducer().send(q, new byte[] {1});
    JMSConsumer consumer = ctx.createConsumer(q);
    assertThatThrownBy(() -> consumer.receiveBody(String.class, RECEIVE_MS))
        .isInstanceOf(MessageFormatRuntimeException.class);

    ctx.close();
    assertThatThrownBy(ctx::createMessage).isInstanceOf(IllegalStateRuntimeException.class);
    assertThatThrownBy(ctx::acknowledge).isInstanceOf(IllegalStateRuntimeException.class);
    assertThatThrownBy(consumer::receiveNoWait).isInstanceOf(IllegalStateRuntimeException.class);
    ctx.close(); // a second close does nothing
  }
}
