package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.security.Policy;
import io.wharfmq.security.UserRecord;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AMQP door of a real broker with aclEnable=true (docs/security.md, "AMQP door"), Qpid JMS as
 * the client: SCRAM-SHA-256 and PLAIN logins of the permission store's users, JMSSecurityException
 * for a wrong password, a denied producer or consumer, a vhost without permission; the anonymous
 * relay's message to a denied queue rejected while the producer goes on; the guest behind
 * ANONYMOUS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class AmqpAclInteropTest {
  private static final String APP = "app";
  private static final String APP_PASSWORD = "app-secret";

  private WharfCluster cluster;
  private AmqpListener amqp;
  private AmqpListener guestAmqp;
  private final List<Connection> connections = new ArrayList<>();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    cluster = new WharfCluster(dir);
    Broker broker =
        cluster.startBroker(
            cluster
                .brokerConfig("broker-a")
                .aclEnable(true)
                .aclInitUser("admin")
                .aclInitPassword("admin-secret"));
    broker
        .access()
        .update(
            users -> {
              users.add(
                  user(
                      broker,
                      APP,
                      APP_PASSWORD,
                      allow("Vhost:/", "Sub"),
                      allow("Queue:acl-orders*", "Pub,Sub"),
                      allow("Topic:acl-news", "Pub,Sub")));
              users.add(user(broker, "stranger", "stranger-secret", allow("Queue:*", "Pub")));
              users.add(
                  user(
                      broker,
                      "guest",
                      "guest-secret",
                      allow("Vhost:/", "Pub"),
                      allow("Queue:acl-public", "Pub")));
              return users;
            });
    amqp = cluster.startAmqp(broker);
    guestAmqp = cluster.startAmqp(broker, WharfCluster.amqpConfig().amqpGuestUser("guest"));
  }

  private static UserRecord user(Broker b, String name, String password, Policy... policies) {
    return UserRecord.create(name, password, false, b.access().sealer(), b.access().random())
        .withPolicies(List.of(policies));
  }

  private static Policy allow(String resource, String actions) {
    return Policy.parse(resource, actions, "Allow", List.of());
  }

  @AfterAll
  void stop() throws Exception {
    for (Connection c : connections) {
      c.close();
    }
    cluster.close();
  }

  private static JmsConnectionFactory qpid(AmqpListener l, String options) {
    String uri = "amqp://127.0.0.1:" + l.port();
    return new JmsConnectionFactory(options.isEmpty() ? uri : uri + "?" + options);
  }

  private Session session(AmqpListener l, String options, String user, String password)
      throws JMSException {
    Connection c =
        user == null
            ? qpid(l, options).createConnection()
            : qpid(l, options).createConnection(user, password);
    connections.add(c);
    c.start();
    return c.createSession(false, Session.AUTO_ACKNOWLEDGE);
  }

  @Test
  void scramAndPlainLogInAndWrongPasswordsAreRefused() throws Exception {
    for (String mechanism : List.of("SCRAM-SHA-256", "PLAIN")) {
      String options = "amqp.saslMechanisms=" + mechanism;
      Session s = session(amqp, options, APP, APP_PASSWORD);
      String queue = "acl-orders-" + mechanism.toLowerCase();
      s.createProducer(s.createQueue(queue)).send(s.createTextMessage("via " + mechanism));
      MessageConsumer c = s.createConsumer(s.createQueue(queue));
      assertThat(((TextMessage) c.receive(10_000)).getText()).isEqualTo("via " + mechanism);
      assertThatThrownBy(() -> qpid(amqp, options).createConnection(APP, "wrong-secret").start())
          .as(mechanism)
          .isInstanceOf(JMSSecurityException.class);
    }
    assertThatThrownBy(() -> qpid(amqp, "").createConnection().start())
        .as("no guest: ANONYMOUS is not offered")
        .isInstanceOf(JMSSecurityException.class);
    assertThatThrownBy(() -> qpid(amqp, "").createConnection("stranger", "stranger-secret").start())
        .as("no permission in vhost /")
        .isInstanceOf(JMSSecurityException.class);
  }

  @Test
  void deniedProducersAndConsumersAreSecurityExceptions() throws Exception {
    Session s = session(amqp, "jms.clientID=acl-durable", APP, APP_PASSWORD);
    assertThatThrownBy(() -> s.createProducer(s.createQueue("acl-payroll")))
        .isInstanceOf(JMSSecurityException.class)
        .hasMessageContaining("Queue:acl-payroll");
    assertThatThrownBy(() -> s.createConsumer(s.createQueue("acl-payroll")))
        .isInstanceOf(JMSSecurityException.class);
    // A durable subscription needs Sub on its topic.
    Topic news = s.createTopic("acl-news");
    MessageConsumer sub = s.createDurableConsumer(news, "acl-sub");
    s.createProducer(news).send(s.createTextMessage("headline"));
    assertThat(((TextMessage) sub.receive(10_000)).getText()).isEqualTo("headline");
    assertThatThrownBy(() -> s.createDurableConsumer(s.createTopic("acl-gossip"), "acl-sub-2"))
        .isInstanceOf(JMSSecurityException.class)
        .hasMessageContaining("Topic:acl-gossip");
  }

  @Test
  void theRelayRejectsTheDeniedMessageAndGoesOn() throws Exception {
    Session s = session(amqp, "", APP, APP_PASSWORD);
    MessageProducer relay = s.createProducer(null);
    relay.send(s.createQueue("acl-orders-relay"), s.createTextMessage("first"));
    assertThatThrownBy(() -> relay.send(s.createQueue("acl-payroll"), s.createTextMessage("no")))
        .isInstanceOf(JMSException.class)
        .hasMessageContaining("Queue:acl-payroll");
    relay.send(s.createQueue("acl-orders-relay"), s.createTextMessage("second"));
    MessageConsumer c = s.createConsumer(s.createQueue("acl-orders-relay"));
    assertThat(((TextMessage) c.receive(10_000)).getText()).isEqualTo("first");
    assertThat(((TextMessage) c.receive(10_000)).getText()).isEqualTo("second");
  }

  @Test
  void anonymousPeersGetTheGuestsPermissions() throws Exception {
    Session s = session(guestAmqp, "", null, null);
    s.createProducer(s.createQueue("acl-public")).send(s.createTextMessage("hello"));
    assertThatThrownBy(() -> s.createConsumer(s.createQueue("acl-public")))
        .isInstanceOf(JMSSecurityException.class);
    // Named users still log in on the same listener, with their own permissions.
    Session app = session(guestAmqp, "", APP, APP_PASSWORD);
    app.createProducer(app.createQueue("acl-orders-guest")).send(app.createTextMessage("x"));
  }
}
