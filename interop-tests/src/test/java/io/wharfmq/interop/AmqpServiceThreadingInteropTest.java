package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.ChangeResult;
import io.wharfmq.service.EndTransactionCommand;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.PeekCommand;
import io.wharfmq.service.PeekResult;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.PullCommand;
import io.wharfmq.service.PullResult;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.Result;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Subscription;
import io.wharfmq.service.TopicInfo;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AMQP listener's I/O threads are shared by many connections: a service call that blocks (a
 * topic made with fsyncs, a subscription waiting for dispatch, a deletion waiting for the store)
 * must not stall the other connections of the same thread (docs/architecture.md, "Threading of the
 * service seam"). The real broker's service, with the creation of one topic held back by a latch
 * (the stand-in for a slow disk), behind a real listener and Qpid JMS clients.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpServiceThreadingInteropTest {
  /**
   * More connections than the listener has I/O threads (2 per core), so some share the held one.
   */
  private static final int OTHERS = 4 * Runtime.getRuntime().availableProcessors() + 2;

  private static final String SLOW = "held-queue";

  @TempDir Path dir;
  private WharfCluster cluster;
  private AmqpListener amqp;
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Connection> connections = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    Broker b = cluster.startBroker("b1");
    amqp = cluster.startAmqp(b, WharfCluster.amqpConfig(), new HeldService(b.messagingService()));
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    for (Connection c : connections) {
      try {
        c.close();
      } catch (Exception e) {
        // already gone
      }
    }
    cluster.close();
  }

  private Connection connect() throws Exception {
    return connect("");
  }

  private Connection connect(String options) throws Exception {
    String uri = "amqp://127.0.0.1:" + amqp.port() + (options.isEmpty() ? "" : "?" + options);
    Connection c = new JmsConnectionFactory(uri).createConnection();
    connections.add(c);
    c.start();
    return c;
  }

  @Test
  void aSlowAttachDoesNotStallOtherConnectionsAndIsAnsweredOnlyOnceItsQueueExists()
      throws Exception {
    Connection held = connect();
    Session heldSession = held.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue slow = heldSession.createQueue(SLOW);
    CompletableFuture<MessageProducer> heldProducer =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return heldSession.createProducer(slow);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });

    // Meanwhile every other connection, some on the held connection's I/O thread, opens, makes
    // its own queue and gets a message through it.
    for (int i = 0; i < OTHERS; i++) {
      long start = System.nanoTime();
      Connection c = connect();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      Queue q = s.createQueue("free-" + i);
      MessageConsumer consumer = s.createConsumer(q);
      s.createProducer(q).send(s.createTextMessage("m" + i));
      Message m = consumer.receive(10_000);
      assertThat(m).as("connection %d served while another attach is held", i).isNotNull();
      assertThat(((TextMessage) m).getText()).isEqualTo("m" + i);
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
          .as("connection %d", i)
          .isLessThan(10);
    }
    assertThat(heldProducer)
        .as("the attach is not answered before its destination exists")
        .isNotDone();

    release.countDown();
    MessageProducer p = heldProducer.get(30, TimeUnit.SECONDS);
    p.send(heldSession.createTextMessage("after"));
    Message m = heldSession.createConsumer(slow).receive(10_000);
    assertThat(m).isNotNull();
    assertThat(((TextMessage) m).getText()).isEqualTo("after");
  }

  @Test
  void relayMessagesOfOneLinkStayInOrderBehindADestinationBeingMade() throws Exception {
    Connection c = connect("jms.forceAsyncSend=true");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue slow = s.createQueue(SLOW);
    Queue ready = s.createQueue("ready-queue");
    MessageConsumer readyConsumer = s.createConsumer(ready); // makes it ready before the sends
    MessageProducer relay = s.createProducer(null); // one anonymous-relay link
    relay.send(slow, s.createTextMessage("first"));
    relay.send(ready, s.createTextMessage("second"));

    // The I/O threads are free meanwhile: another connection is served. (The attaches of this
    // connection's other sessions would wait: one connection's service work runs in order.)
    Session other = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue q = other.createQueue("other-queue");
    MessageConsumer otherConsumer = other.createConsumer(q);
    other.createProducer(q).send(other.createTextMessage("other"));
    assertThat(otherConsumer.receive(10_000)).as("served while a relay send waits").isNotNull();
    Message early = readyConsumer.receive(500);
    assertThat(early == null ? null : ((TextMessage) early).getText())
        .as("a later message of the link does not overtake one waiting for its destination")
        .isNull();

    release.countDown();
    Message second = readyConsumer.receive(10_000);
    assertThat(second).isNotNull();
    assertThat(((TextMessage) second).getText()).isEqualTo("second");
    Message first = s.createConsumer(slow).receive(10_000);
    assertThat(first).isNotNull();
    assertThat(((TextMessage) first).getText()).isEqualTo("first");
  }

  /** The broker's service, with the first creation of {@link #SLOW}'s topic held until released. */
  private final class HeldService implements MessagingService {
    private final MessagingService real;

    HeldService(MessagingService real) {
      this.real = real;
    }

    @Override
    public <T> CompletableFuture<T> administer(Supplier<T> work) {
      return real.administer(work);
    }

    @Override
    public TopicInfo topic(String topic) {
      return real.topic(topic);
    }

    @Override
    public Result<TopicInfo> ensureTopic(String topic) {
      if (topic.endsWith(SLOW)) {
        try {
          if (!release.await(60, TimeUnit.SECONDS)) {
            return Result.fail(io.wharfmq.service.Status.BUSY, "never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Result.fail(io.wharfmq.service.Status.BUSY, "interrupted");
        }
      }
      return real.ensureTopic(topic);
    }

    @Override
    public Result<Void> deleteTopic(String topic) {
      return real.deleteTopic(topic);
    }

    @Override
    public Result<Void> ensureGroup(GroupSettings settings) {
      return real.ensureGroup(settings);
    }

    @Override
    public Result<Void> deleteGroup(String group) {
      return real.deleteGroup(group);
    }

    @Override
    public Result<Integer> returnDeliveriesFromBeforeStart(String group) {
      return real.returnDeliveriesFromBeforeStart(group);
    }

    @Override
    public GroupSettings group(String group) {
      return real.group(group);
    }

    @Override
    public Result<Void> subscribe(Subscription subscription) {
      return real.subscribe(subscription);
    }

    @Override
    public Result<Void> unsubscribe(String group, String topic) {
      return real.unsubscribe(group, topic);
    }

    @Override
    public CompletableFuture<SendResult> send(SendCommand command) {
      return real.send(command);
    }

    @Override
    public CompletableFuture<Result<Void>> endTransaction(EndTransactionCommand command) {
      return real.endTransaction(command);
    }

    @Override
    public String beginTransaction() {
      return real.beginTransaction();
    }

    @Override
    public CompletableFuture<SendResult> sendInTransaction(
        String transactionId, SendCommand command) {
      return real.sendInTransaction(transactionId, command);
    }

    @Override
    public CompletableFuture<Result<Void>> commitTransaction(String transactionId) {
      return real.commitTransaction(transactionId);
    }

    @Override
    public CompletableFuture<Result<Void>> rollbackTransaction(String transactionId) {
      return real.rollbackTransaction(transactionId);
    }

    @Override
    public CompletableFuture<PopResult> pop(PopCommand command) {
      return real.pop(command);
    }

    @Override
    public CompletableFuture<AckStatus> ack(Receipt receipt) {
      return real.ack(receipt);
    }

    @Override
    public CompletableFuture<ChangeResult> changeInvisibility(Receipt receipt, long millis) {
      return real.changeInvisibility(receipt, millis);
    }

    @Override
    public CompletableFuture<AckStatus> release(Receipt receipt, boolean countDelivery) {
      return real.release(receipt, countDelivery);
    }

    @Override
    public CompletableFuture<AckStatus> deadLetter(Receipt receipt, String reason) {
      return real.deadLetter(receipt, reason);
    }

    @Override
    public CompletableFuture<PeekResult> peek(PeekCommand command) {
      return real.peek(command);
    }

    @Override
    public CompletableFuture<PullResult> pull(PullCommand command) {
      return real.pull(command);
    }

    @Override
    public long committedOffset(String group, String topic, int queueId) {
      return real.committedOffset(group, topic, queueId);
    }

    @Override
    public void commitOffset(String group, String topic, int queueId, long offset) {
      real.commitOffset(group, topic, queueId, offset);
    }

    @Override
    public long maxOffset(String topic, int queueId) {
      return real.maxOffset(topic, queueId);
    }

    @Override
    public long minOffset(String topic, int queueId) {
      return real.minOffset(topic, queueId);
    }

    @Override
    public long offsetAt(String topic, int queueId, long timestampMillis) {
      return real.offsetAt(topic, queueId, timestampMillis);
    }

    @Override
    public List<String> topicsOf(String group) {
      return real.topicsOf(group);
    }
  }
}
