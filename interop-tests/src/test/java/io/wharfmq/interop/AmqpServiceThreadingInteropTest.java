package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.Result;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
  private final CountDownLatch entered = new CountDownLatch(1);
  private final List<Connection> connections = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    Broker b = cluster.startBroker("b1");
    amqp = cluster.startAmqp(b, WharfCluster.amqpConfig(), held(b.messagingService()));
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
    othersAreServed("attach");
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

  @Test
  void aTransactionalRelaySendToADestinationBeingMadeStallsNoIoThreadAndCommitsWithIt()
      throws Exception {
    Connection c = connect();
    Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
    Queue slow = tx.createQueue(SLOW);
    MessageProducer relay = tx.createProducer(null);
    CompletableFuture<Void> sentAndCommitted =
        CompletableFuture.runAsync(
            () -> {
              try {
                relay.send(slow, tx.createTextMessage("in-tx"));
                tx.commit();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(entered.await(30, TimeUnit.SECONDS)).as("the send reached the service").isTrue();

    othersAreServed("transactional relay send");
    assertThat(sentAndCommitted).as("the commit waits for its send").isNotDone();

    release.countDown();
    sentAndCommitted.get(30, TimeUnit.SECONDS);
    Session reader = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);
    Message m = reader.createConsumer(reader.createQueue(SLOW)).receive(10_000);
    assertThat(m).as("committed with its transaction").isNotNull();
    assertThat(((TextMessage) m).getText()).isEqualTo("in-tx");
  }

  /**
   * Every other connection, some on the held connection's I/O thread, opens, makes its own queue
   * and gets a message through it, each within 10 s.
   */
  private void othersAreServed(String whileHeld) throws Exception {
    for (int i = 0; i < OTHERS; i++) {
      long start = System.nanoTime();
      Connection c = connect();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      Queue q = s.createQueue("free-" + i);
      MessageConsumer consumer = s.createConsumer(q);
      s.createProducer(q).send(s.createTextMessage("m" + i));
      Message m = consumer.receive(10_000);
      assertThat(m).as("connection %d served while a %s is held", i, whileHeld).isNotNull();
      assertThat(((TextMessage) m).getText()).isEqualTo("m" + i);
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
          .as("connection %d", i)
          .isLessThan(10);
    }
  }

  /**
   * The broker's service, with every creation of {@link #SLOW}'s topic held until released; every
   * other call goes straight to it.
   */
  private MessagingService held(MessagingService real) {
    return (MessagingService)
        Proxy.newProxyInstance(
            MessagingService.class.getClassLoader(),
            new Class<?>[] {MessagingService.class},
            (proxy, method, args) -> {
              if (method.getName().equals("ensureTopic") && ((String) args[0]).endsWith(SLOW)) {
                entered.countDown();
                try {
                  if (!release.await(60, TimeUnit.SECONDS)) {
                    return Result.fail(io.wharfmq.service.Status.BUSY, "never released");
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return Result.fail(io.wharfmq.service.Status.BUSY, "interrupted");
                }
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
