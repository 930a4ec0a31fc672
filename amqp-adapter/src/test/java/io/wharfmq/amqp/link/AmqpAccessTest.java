package io.wharfmq.amqp.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wharfmq.amqp.transport.AmqpConfig;
import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.security.AccessControl;
import io.wharfmq.security.AccessRegistry;
import io.wharfmq.security.Policy;
import io.wharfmq.security.SecretSealer;
import io.wharfmq.security.UserRecord;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The AMQP door with access control on (docs/security.md, "AMQP door"), Qpid JMS against a live
 * listener over the in-memory service: SCRAM-SHA-256 and PLAIN against the same users, the guest
 * behind ANONYMOUS, the vhost permission on open, Pub and Sub per address on attach, and the
 * relay's per-message check; failed logins logged without the secret and slowed down.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AmqpAccessTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final SecretSealer SEALER =
      new SecretSealer(new byte[SecretSealer.KEY_BYTES], RANDOM);

  private final InMemoryMessagingService service = new InMemoryMessagingService();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final List<AutoCloseable> closeLater = new ArrayList<>();
  private AmqpListener listener;

  @AfterEach
  void close() throws Exception {
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      closeLater.get(i).close();
    }
    if (listener != null) {
      listener.close();
    }
    service.close();
  }

  private static UserRecord user(String name, String password, Policy... policies) {
    return UserRecord.create(name, password, false, SEALER, RANDOM).withPolicies(List.of(policies));
  }

  private static Policy allow(String resource, String actions) {
    return Policy.parse(resource, actions, "Allow", List.of());
  }

  private static AccessControl access() {
    AccessRegistry registry =
        new AccessRegistry(
            List.of(
                user(
                    "app",
                    "app-secret",
                    allow("Vhost:/", "Sub"),
                    allow("Queue:orders*", "Pub,Sub"),
                    allow("Topic:news", "Pub"),
                    allow("Queue:*", "Create")),
                user("outsider", "outsider-secret", allow("Queue:*", "Pub,Sub")),
                user(
                    "guest",
                    "guest-secret",
                    allow("Vhost:/", "Pub"),
                    allow("Queue:public", "Pub"))),
            SEALER);
    return new AccessControl() {
      @Override
      public boolean enabled() {
        return true;
      }

      @Override
      public AccessRegistry registry() {
        return registry;
      }
    };
  }

  private void start(Consumer<AmqpConfig> settings) throws Exception {
    AmqpConfig config = new AmqpConfig().amqpPort(0).amqpBindAddress("127.0.0.1");
    settings.accept(config);
    InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    listener =
        new AmqpListener(
            config,
            service,
            new AmqpLinkAttacher(1 << 20),
            () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()),
            access(),
            clock);
    listener.start();
  }

  private JmsConnectionFactory qpid(String options) {
    String uri = "amqp://127.0.0.1:" + listener.port();
    return new JmsConnectionFactory(options.isEmpty() ? uri : uri + "?" + options);
  }

  private Session session(String options, String user, String password) throws JMSException {
    Connection c = qpid(options).createConnection(user, password);
    closeLater.add(c::close);
    c.start();
    return c.createSession(false, Session.AUTO_ACKNOWLEDGE);
  }

  @Test
  void scramAndPlainLogInTheSameUserAndWrongPasswordsAreSecurityExceptions() throws Exception {
    start(c -> {});
    for (String mechanism : List.of("SCRAM-SHA-256", "PLAIN")) {
      String options = "amqp.saslMechanisms=" + mechanism;
      Session s = session(options, "app", "app-secret");
      s.createProducer(s.createQueue("orders")).send(s.createTextMessage(mechanism));
      assertThatThrownBy(() -> qpid(options).createConnection("app", "wrong-secret").start())
          .as(mechanism)
          .isInstanceOf(JMSSecurityException.class);
      assertThatThrownBy(() -> qpid(options).createConnection("nobody", "app-secret").start())
          .as(mechanism)
          .isInstanceOf(JMSSecurityException.class);
    }
    // Without options Qpid JMS picks the best mechanism offered: SCRAM-SHA-256.
    session("", "app", "app-secret");
    assertThat(service.messages(io.wharfmq.service.DestinationNames.topic("/", "orders")))
        .hasSize(2);
  }

  @Test
  void withoutAGuestAnonymousPeersAreRefused() throws Exception {
    start(c -> {});
    assertThatThrownBy(() -> qpid("").createConnection().start())
        .isInstanceOf(JMSSecurityException.class);
    assertThatThrownBy(() -> qpid("amqp.saslLayer=false").createConnection().start())
        .isInstanceOf(JMSException.class);
  }

  @Test
  void anonymousPeersActAsTheGuest() throws Exception {
    start(c -> c.amqpGuestUser("guest"));
    Connection c = qpid("").createConnection();
    closeLater.add(c::close);
    c.start();
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    s.createProducer(s.createQueue("public")).send(s.createTextMessage("hello"));
    assertThatThrownBy(() -> s.createProducer(s.createQueue("orders")))
        .isInstanceOf(JMSSecurityException.class)
        .hasMessageContaining("guest");
  }

  @Test
  void aUserWithoutPermissionInTheVhostCannotOpen() throws Exception {
    start(c -> {});
    assertThatThrownBy(() -> qpid("").createConnection("outsider", "outsider-secret").start())
        .isInstanceOf(JMSSecurityException.class)
        .hasMessageContaining("vhost '/'");
  }

  @Test
  void sendersAndReceiversNeedPubAndSubOnTheirAddress() throws Exception {
    start(c -> {});
    Session s = session("", "app", "app-secret");
    MessageProducer p = s.createProducer(s.createQueue("orders-eu"));
    p.send(s.createTextMessage("one"));
    TextMessage got = (TextMessage) s.createConsumer(s.createQueue("orders-eu")).receive(10_000);
    assertThat(got.getText()).isEqualTo("one");
    assertThatThrownBy(() -> s.createProducer(s.createQueue("payroll")))
        .isInstanceOf(JMSSecurityException.class)
        .hasMessageContaining("Queue:payroll");
    assertThatThrownBy(() -> s.createConsumer(s.createQueue("payroll")))
        .isInstanceOf(JMSSecurityException.class);
    s.createProducer(s.createTopic("news")).send(s.createTextMessage("extra"));
    assertThatThrownBy(() -> s.createConsumer(s.createTopic("news")))
        .isInstanceOf(JMSSecurityException.class)
        .hasMessageContaining("Topic:news");
    // Temporary destinations belong to their connection: no permission needed.
    var temp = s.createTemporaryQueue();
    s.createProducer(temp).send(s.createTextMessage("to myself"));
    assertThat(((TextMessage) s.createConsumer(temp).receive(10_000)).getText())
        .isEqualTo("to myself");
  }

  @Test
  void theRelayRejectsOnlyTheMessageToADeniedAddress() throws Exception {
    start(c -> {});
    Session s = session("", "app", "app-secret");
    MessageProducer relay = s.createProducer(null);
    relay.send(s.createQueue("orders"), s.createTextMessage("allowed"));
    assertThatThrownBy(() -> relay.send(s.createQueue("payroll"), s.createTextMessage("denied")))
        .isInstanceOf(JMSException.class)
        .hasMessageContaining("Queue:payroll");
    relay.send(s.createQueue("orders"), s.createTextMessage("allowed again"));
    assertThat(service.messages(io.wharfmq.service.DestinationNames.topic("/", "orders")))
        .hasSize(2);
    assertThat(service.messages(io.wharfmq.service.DestinationNames.topic("/", "payroll")))
        .isEmpty();
  }

  @Test
  void failedLoginsAreLoggedWithoutTheSecretAndSlowedDownPerAddress() throws Exception {
    Logger badInput = (Logger) LoggerFactory.getLogger("io.wharfmq.amqp.transport.BadInput");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    badInput.addAppender(lines);
    closeLater.add(() -> badInput.detachAppender(lines));
    start(c -> {});
    for (int i = 0; i < 4; i++) {
      String guess = "guess-" + i;
      assertThatThrownBy(
              () -> qpid("amqp.saslMechanisms=PLAIN").createConnection("app", guess).start())
          .isInstanceOf(JMSSecurityException.class);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(logins(lines)).hasSize(4));
    List<String> failures = logins(lines);
    assertThat(failures).allMatch(l -> l.contains("127.0.0.1") && l.contains("user 'app'"));
    assertThat(failures).noneMatch(l -> l.contains("guess-"));
    // three free failures, then the outcome waits, longer each time
    assertThat(failures.subList(0, 3)).noneMatch(l -> l.contains("held back"));
    assertThat(failures.get(3)).contains("outcome held back 200 ms");
    // SCRAM's failures count for the same address
    assertThatThrownBy(
            () ->
                qpid("amqp.saslMechanisms=SCRAM-SHA-256")
                    .createConnection("app", "guess-scram")
                    .start())
        .isInstanceOf(JMSSecurityException.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(logins(lines).get(4)).contains("SCRAM-SHA-256", "held back 400 ms"));
    // quiet for longer than the throttle remembers: free again
    now.addAndGet(Duration.ofMinutes(10).toMillis());
    assertThatThrownBy(() -> qpid("").createConnection("app", "guess-later").start())
        .isInstanceOf(JMSSecurityException.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(logins(lines)).hasSize(6));
    assertThat(logins(lines).get(5)).doesNotContain("held back");
  }

  private static List<String> logins(ListAppender<ILoggingEvent> lines) {
    synchronized (lines) {
      return lines.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains(" login "))
          .toList();
    }
  }
}
