package io.wharfmq.amqp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wharfmq.amqp.sasl.PasswordHash;
import jakarta.jms.Connection;
import jakarta.jms.InvalidClientIDException;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qpid JMS 2.x against a live listener: open and close, SASL PLAIN and ANONYMOUS, the ClientID
 * clash, vhosts and the connection, session and link limits, each with the exception Qpid JMS maps
 * the listener's AMQP error to.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QpidJmsTransportTest {
  @TempDir Path dir;

  @Test
  void anonymousConnectionOpensAndCloses() throws Exception {
    TestAttachers.Sink sink = new TestAttachers.Sink(100);
    try (TestListener l = new TestListener(sink, c -> {})) {
      Connection c = l.qpid("").createConnection();
      c.start();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      MessageProducer p = s.createProducer(s.createQueue("q"));
      p.send(s.createTextMessage("hello"));
      assertThat(l.listener.connections()).isEqualTo(1);
      AmqpSession seen = sink.sessions.peek();
      assertThat(seen.vhost()).isEqualTo("/");
      assertThat(seen.user()).isNull();
      assertThat(seen.containerId()).startsWith("ID:");
      assertThat(seen.peer()).startsWith("127.0.0.1:");
      assertThat(sink.messages).hasSize(1);
      c.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(l.listener.connections()).isZero());
      // Qpid JMS closes the connection without detaching first: the link learns it is gone.
      assertThat(sink.gone).hasSize(1).allMatch(g -> g.startsWith("gone qpid-jms:sender:"));
    }
  }

  @Test
  void attacherMayAnswerLaterThroughTheSessionExecutor() throws Exception {
    TestAttachers.Sink sink = new TestAttachers.Sink(100);
    LinkAttacher later =
        (session, link) ->
            java.util.concurrent.CompletableFuture.runAsync(
                () -> session.executor().execute(() -> sink.onRemoteAttach(session, link)),
                java.util.concurrent.CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
    try (TestListener l = new TestListener(later, c -> {})) {
      Connection c = l.qpid("").createConnection();
      c.start();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      MessageProducer p = s.createProducer(s.createQueue("q"));
      p.send(s.createTextMessage("one"));
      p.send(s.createTextMessage("two"));
      assertThat(sink.messages).hasSize(2);
      p.close();
      assertThat(sink.gone).hasSize(1).allMatch(g -> g.startsWith("detach "));
      c.close();
    }
  }

  private Path usersFile() throws Exception {
    Path f = dir.resolve("users");
    String line =
        PasswordHash.create("alice", "s3cret".toCharArray(), 1_000, new SecureRandom()).line();
    Files.writeString(f, "# AMQP users\n" + line + "\n");
    return f;
  }

  @Test
  void plainLoginWithTheRightPasswordGetsIn() throws Exception {
    TestAttachers.Sink sink = new TestAttachers.Sink(100);
    Path users = usersFile();
    try (TestListener l =
        new TestListener(sink, c -> c.amqpUsersFile(users.toString()).amqpAnonymousEnable(false))) {
      Connection c = l.qpid("").createConnection("alice", "s3cret");
      c.start();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      s.createProducer(s.createQueue("q")).send(s.createTextMessage("x"));
      assertThat(sink.sessions.peek().user()).isEqualTo("alice");
      c.close();
    }
  }

  @Test
  void wrongPasswordUnknownUserAndMissingCredentialsAreSecurityExceptions() throws Exception {
    Path users = usersFile();
    try (TestListener l =
        new TestListener(
            TestAttachers.refuseAll(),
            c -> c.amqpUsersFile(users.toString()).amqpAnonymousEnable(false))) {
      assertThatThrownBy(() -> l.qpid("").createConnection("alice", "wrong").start())
          .isInstanceOf(JMSSecurityException.class);
      assertThatThrownBy(() -> l.qpid("").createConnection("bob", "s3cret").start())
          .isInstanceOf(JMSSecurityException.class);
      // Anonymous is off: a client without credentials finds no mechanism it may use.
      assertThatThrownBy(() -> l.qpid("").createConnection().start())
          .isInstanceOf(JMSSecurityException.class);
      // ... and one that skips SASL gets Wharf's SASL header and a closed socket.
      assertThatThrownBy(() -> l.qpid("amqp.saslLayer=false").createConnection().start())
          .isInstanceOf(JMSException.class);
      Connection ok = l.qpid("").createConnection("alice", "s3cret");
      ok.start();
      ok.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(l.listener.connections()).isZero());
    }
  }

  @Test
  void anonymousAlsoWithoutSaslLayerWhenAllowed() throws Exception {
    try (TestListener l = new TestListener(TestAttachers.refuseAll(), c -> {})) {
      Connection c = l.qpid("amqp.saslLayer=false").createConnection();
      c.start();
      c.createSession(false, Session.AUTO_ACKNOWLEDGE).close();
      c.close();
    }
  }

  @Test
  void secondConnectionWithTheSameClientIdIsInvalidClientId() throws Exception {
    try (TestListener l = new TestListener(TestAttachers.refuseAll(), c -> {})) {
      Connection first = l.qpid("jms.clientID=app-1").createConnection();
      first.start();
      assertThatThrownBy(() -> l.qpid("jms.clientID=app-1").createConnection().start())
          .isInstanceOf(InvalidClientIDException.class);
      // Another vhost is another namespace; another id is fine.
      Connection other = l.qpid("jms.clientID=app-1&amqp.vhost=vhost:other").createConnection();
      other.start();
      Connection third = l.qpid("jms.clientID=app-2").createConnection();
      third.start();
      first.close();
      // Once the first is gone, the id is free again.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Connection again = l.qpid("jms.clientID=app-1").createConnection();
                again.start();
                again.close();
              });
      other.close();
      third.close();
    }
  }

  @Test
  void vhostComesFromTheOpenHostname() throws Exception {
    TestAttachers.Sink sink = new TestAttachers.Sink(100);
    try (TestListener l = new TestListener(sink, c -> {})) {
      Connection c = l.qpid("amqp.vhost=vhost:tenant-a").createConnection();
      c.start();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      s.createProducer(s.createQueue("q")).send(s.createTextMessage("x"));
      assertThat(sink.sessions.peek().vhost()).isEqualTo("tenant-a");
      c.close();
      assertThatThrownBy(() -> l.qpid("amqp.vhost=vhost:bad%0Aname").createConnection().start())
          .isInstanceOf(JMSException.class)
          .hasMessageContaining("vhost");
    }
  }

  @Test
  void connectionLimit() throws Exception {
    try (TestListener l =
        new TestListener(TestAttachers.refuseAll(), c -> c.amqpMaxConnections(1))) {
      Connection first = l.qpid("").createConnection();
      first.start();
      assertThatThrownBy(() -> l.qpid("").createConnection().start())
          .isInstanceOf(JMSException.class)
          .hasMessageContaining("amqpMaxConnections");
      first.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Connection again = l.qpid("").createConnection();
                again.start();
                again.close();
              });
    }
  }

  @Test
  void sessionAndLinkLimits() throws Exception {
    TestAttachers.Sink sink = new TestAttachers.Sink(100);
    try (TestListener l =
        new TestListener(sink, c -> c.amqpMaxSessionsPerConnection(2).amqpMaxLinksPerSession(1))) {
      Connection c = l.qpid("").createConnection();
      c.start();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      MessageProducer a = s.createProducer(s.createQueue("a"));
      assertThatThrownBy(() -> s.createProducer(s.createQueue("b")))
          .isInstanceOf(JMSException.class)
          .hasMessageContaining("amqpMaxLinksPerSession");
      // A session over the limit is begun and at once ended with resource-limit-exceeded (the
      // exact frames: RawBadInputTest). Qpid JMS takes the begin as success and then marks the
      // session failed, so using it throws.
      c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      Session over = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThatThrownBy(() -> over.createProducer(over.createQueue("c")))
                      .isInstanceOf(JMSException.class));
      // The connection goes on serving what it has.
      a.send(s.createTextMessage("still here"));
      assertThat(sink.messages).hasSize(1);
      c.close();
    }
  }
}
