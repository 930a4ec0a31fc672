package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.launcher.AmqpWiring;
import io.wharfmq.service.MessagingService;
import io.wharfmq.testing.RocketMqPopCalls;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.apache.rocketmq.client.consumer.PopResult;
import org.apache.rocketmq.client.consumer.PopStatus;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.header.PopMessageRequestHeader;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How consumers end, over real wires (in-JVM name server and broker, AMQP listener, free 127.0.0.1
 * ports): Qpid JMS 2.x subscribers that close while their link waits for a message, a Qpid JMS
 * consumer whose socket is cut, messages with reserved properties a RocketMQ producer set wrongly,
 * a RocketMQ POP client that disconnects while its pop is held, and idle AMQP consumers on a broker
 * without long polling.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpConsumerEndInteropTest {
  private static final long WAIT = 10_000;

  @TempDir Path dir;
  private WharfCluster cluster;
  private Broker broker;
  private AmqpListener amqp;
  private final OfficialClients clients = new OfficialClients();
  private final List<Connection> connections = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    broker = cluster.startBroker("b1");
    amqp = cluster.startAmqp(broker);
  }

  @AfterEach
  void stop() {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (Exception e) {
        // already gone
      }
    }
    clients.close();
  }

  private Connection connect(int port, String clientId) throws Exception {
    Connection c =
        new JmsConnectionFactory("amqp://127.0.0.1:" + port + "?jms.connectTimeout=10000")
            .createConnection();
    connections.add(c);
    if (clientId != null) {
      c.setClientID(clientId);
    }
    c.start();
    return c;
  }

  private static String text(Message m) throws Exception {
    assertThat(m).as("a message").isNotNull();
    return ((TextMessage) m).getText();
  }

  /** Waits until {@code n} pops are held in the broker (a link with credit waits in one). */
  private void awaitHeldPops(int n) {
    Awaitility.await(n + " held pops")
        .atMost(Duration.ofSeconds(10))
        .until(() -> broker.heldPopCount() == n);
  }

  @Test
  void aDurableSubscriptionMadeAgainBeforeThePublishGetsTheMessage() throws Exception {
    Connection c = connect(amqp.port(), OfficialClients.unique("client"));
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Topic t = s.createTopic(OfficialClients.unique("again"));
    MessageConsumer old = s.createDurableConsumer(t, "sub");
    awaitHeldPops(1); // the old link waits for a message

    old.close();
    s.unsubscribe("sub");
    MessageConsumer fresh = s.createDurableConsumer(t, "sub");
    Session ps = connect(amqp.port(), null).createSession(false, Session.AUTO_ACKNOWLEDGE);
    ps.createProducer(t).send(ps.createTextMessage("for the new subscription"));

    assertThat(text(fresh.receive(WAIT))).isEqualTo("for the new subscription");
  }

  @Test
  void aClosedIdleSubscriberLeavesNoOffsetsForItsDeletedGroup() throws Exception {
    String topicName = OfficialClients.unique("idle");
    Session s = connect(amqp.port(), null).createSession(false, Session.AUTO_ACKNOWLEDGE);
    Topic t = s.createTopic(topicName);
    MessageConsumer idle = s.createConsumer(t); // non-durable: its group goes when it closes
    awaitHeldPops(1);
    idle.close();
    s.createProducer(t).send(s.createTextMessage("nobody subscribes"));

    var admin = clients.admin(cluster.namesrvAddr());
    Awaitility.await("no group has offsets on " + topicName)
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> admin.queryTopicConsumeByWho(topicName).getGroupList().isEmpty());
    broker.close(); // writes the offsets
    assertThat(Files.readString(dir.resolve("b1/config/consumerOffset.json")))
        .doesNotContain(topicName);
  }

  @Test
  void reservedPropertiesARocketMqProducerSetWronglyDoNotStopAJmsConsumer() throws Exception {
    Session s = connect(amqp.port(), null).createSession(false, Session.AUTO_ACKNOWLEDGE);
    String queueName = OfficialClients.unique("wrong");
    MessageConsumer consumer = s.createConsumer(s.createQueue(queueName));
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    org.apache.rocketmq.common.message.Message negativeTtl = rmq(queueName, "negative ttl");
    negativeTtl.putUserProperty("WHARF_TTL", "-1");
    org.apache.rocketmq.common.message.Message hugeTtl = rmq(queueName, "huge ttl");
    hugeTtl.putUserProperty("WHARF_TTL", "4294967296");
    org.apache.rocketmq.common.message.Message badUser = rmq(queueName, "bad user id");
    badUser.putUserProperty("WHARF_SECTIONS", "PV");
    badUser.putUserProperty("WHARF_USER_ID", "not base64 !");
    for (var m : List.of(rmq(queueName, "first"), negativeTtl, hugeTtl, badUser)) {
      producer.send(m);
    }
    producer.send(rmq(queueName, "last"));

    Set<String> got = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      Message m = consumer.receive(WAIT);
      got.add(m == null ? null : new String(m.getBody(byte[].class), StandardCharsets.UTF_8));
    }
    assertThat(got)
        .containsExactlyInAnyOrder("first", "negative ttl", "huge ttl", "bad user id", "last");
  }

  private static org.apache.rocketmq.common.message.Message rmq(String topic, String body) {
    return new org.apache.rocketmq.common.message.Message(
        topic, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void messagesOfAConsumerWhoseSocketWasCutComeBackRedelivered() throws Exception {
    try (CuttableProxy proxy = new CuttableProxy(amqp.port())) {
      Connection lost = connect(proxy.port(), null);
      Session s = lost.createSession(false, Session.CLIENT_ACKNOWLEDGE);
      Queue q = s.createQueue(OfficialClients.unique("cut"));
      s.createProducer(q).send(s.createTextMessage("maybe processed"));
      assertThat(text(s.createConsumer(q).receive(WAIT))).isEqualTo("maybe processed");

      proxy.cut(); // no close frame, no outcome: the client may have processed it

      Session other = connect(amqp.port(), null).createSession(false, Session.AUTO_ACKNOWLEDGE);
      Message again = other.createConsumer(q).receive(WAIT);
      assertThat(text(again)).isEqualTo("maybe processed");
      assertThat(again.getJMSRedelivered()).isTrue();
      assertThat(again.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
    }
  }

  @Test
  void aPopHeldForADisconnectedRocketMqClientTakesNothing() throws Exception {
    String topic = OfficialClients.unique("orphan");
    assertThat(broker.messagingService().ensureTopic(topic).isOk()).isTrue();
    DefaultMQProducer leaving = clients.producer(cluster.namesrvAddr());
    CompletableFuture<PopResult> orphan =
        RocketMqPopCalls.popAsync(
            api(leaving), "b1", broker.address(), popHeader(topic, 20_000), 30_000);
    awaitHeldPops(1);
    leaving.shutdown(); // closes its connection while the pop is held

    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    producer.send(rmq(topic, "for a live consumer"));

    MQClientAPIImpl live = api(producer);
    List<String> got = new CopyOnWriteArrayList<>();
    Awaitility.await("the message at a live consumer, not invisible behind the gone one")
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              PopResult r =
                  RocketMqPopCalls.pop(live, "b1", broker.address(), popHeader(topic, 500), 5_000);
              if (r.getPopStatus() == PopStatus.FOUND) {
                for (MessageExt m : r.getMsgFoundList()) {
                  got.add(new String(m.getBody(), StandardCharsets.UTF_8));
                }
              }
              return !got.isEmpty();
            });
    assertThat(got).containsExactly("for a live consumer");
  }

  @SuppressWarnings("deprecation") // getDefaultMQProducerImpl: the way to the client's API object
  private static MQClientAPIImpl api(DefaultMQProducer p) {
    return p.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();
  }

  private static PopMessageRequestHeader popHeader(String topic, long pollMillis) {
    return RocketMqPopCalls.request("cg-orphan", topic, -1, 60_000, pollMillis);
  }

  @Test
  void idleAmqpConsumersDoNotSpinWhenTheBrokerDoesNotHoldPops() throws Exception {
    Broker noHold = cluster.startBroker(cluster.brokerConfig("b2").longPollingEnable(false));
    AtomicInteger pops = new AtomicInteger();
    MessagingService real = noHold.messagingService();
    MessagingService counting =
        (MessagingService)
            Proxy.newProxyInstance(
                MessagingService.class.getClassLoader(),
                new Class<?>[] {MessagingService.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("pop")) {
                    pops.incrementAndGet();
                  }
                  try {
                    return method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    AmqpListener listener = AmqpWiring.start(WharfCluster.amqpConfig(), counting);
    try {
      Session s = connect(listener.port(), null).createSession(false, Session.AUTO_ACKNOWLEDGE);
      Queue q = s.createQueue(OfficialClients.unique("idle"));
      MessageConsumer consumer = s.createConsumer(q);
      Awaitility.await("the consumer asks")
          .atMost(Duration.ofSeconds(10))
          .until(() -> pops.get() > 0);
      int before = pops.get();

      // Idle for two seconds: a pop every 500 ms at most, not one after another.
      Awaitility.await("few pops while idle")
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(3))
          .until(() -> pops.get() - before <= 8);

      MessageProducer p = s.createProducer(q);
      p.send(s.createTextMessage("still served"));
      assertThat(text(consumer.receive(WAIT))).isEqualTo("still served");
    } finally {
      listener.close();
    }
  }

  /**
   * A TCP relay to the AMQP port whose connections can be cut without a close frame or FIN (reset),
   * as when a client process dies or the network goes.
   */
  private static final class CuttableProxy implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    CuttableProxy(int target) throws IOException {
      this.target = target;
      acceptor = new Thread(this::accept, "cuttable-proxy");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void accept() {
      try {
        while (true) {
          Socket in = server.accept();
          Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
          sockets.add(in);
          sockets.add(out);
          relay(in, out);
          relay(out, in);
        }
      } catch (IOException closed) {
        // the proxy is closed
      }
    }

    private static void relay(Socket from, Socket to) {
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[8192];
                try (InputStream i = from.getInputStream();
                    OutputStream o = to.getOutputStream()) {
                  int n;
                  while ((n = i.read(buf)) >= 0) {
                    o.write(buf, 0, n);
                    o.flush();
                  }
                } catch (IOException cut) {
                  // the other side or the test cut the connection
                  System.err.println("cuttable proxy: relay " + from + " ended: " + cut);
                }
              },
              "cuttable-proxy-relay");
      t.setDaemon(true);
      t.start();
    }

    /** Resets every relayed connection at once. */
    void cut() throws IOException {
      for (Socket s : sockets) {
        try {
          s.setSoLinger(true, 0);
          s.close();
        } catch (SocketException alreadyClosed) {
          // A relay that saw its peer go closed both of its sockets (once on CI, cause unknown:
          // the relay prints what ended it). The connection is gone either way.
        }
      }
      sockets.clear();
    }

    @Override
    public void close() throws IOException {
      server.close();
      cut();
    }
  }
}
