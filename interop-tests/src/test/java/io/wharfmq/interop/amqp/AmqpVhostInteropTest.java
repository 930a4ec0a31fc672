package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.launcher.Wharf;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.remoting.protocol.LanguageCode;
import org.apache.rocketmq.remoting.protocol.body.ConsumerConnection;
import org.apache.rocketmq.remoting.protocol.heartbeat.ConsumeType;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Vhosts against a real Wharf process (docs/admin.md "Vhosts", docs/rabbitmq.md "Vhosts"): {@code
 * bin/wharf admin vhost add|list|delete} through the name server, Qpid JMS refused with
 * JMSSecurityException (amqp:unauthorized-access) on a vhost that does not exist and served on one
 * that does, a plain hostname kept on {@code /}, the same queue name in three vhosts holding three
 * different messages, and {@code admin groups} / {@code progress} showing an AMQP queue with its
 * consumer link counted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpVhostInteropTest {
  static final long RECEIVE_MS = 10_000;
  static final long ABSENT_MS = 300;

  @TempDir static Path shared;
  static WharfAmqpBroker broker;
  private final List<Connection> connections = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    broker = new WharfAmqpBroker();
    broker.start(shared.resolve("wharf"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.stop();
  }

  @AfterEach
  void closeConnections() throws JMSException {
    for (Connection c : connections) {
      c.close();
    }
  }

  record Run(int code, String out, String err) {}

  /** {@code bin/wharf admin ARGS --namesrv=<the broker's>}, in this JVM. */
  static Run admin(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    List<String> full = new ArrayList<>(List.of("admin"));
    full.addAll(List.of(args));
    full.add("--namesrv=" + broker.namesrvAddr());
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Wharf()).execute(full.toArray(String[]::new));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run ok(String... args) {
    Run r = admin(args);
    assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
    return r;
  }

  /** A started connection to {@code vhost} (null: no vhost option, the URI's host is sent). */
  Connection connect(String vhost) throws JMSException {
    Connection c =
        broker.jmsFactory(vhost == null ? "" : "amqp.vhost=vhost:" + vhost).createConnection();
    connections.add(c);
    c.start();
    return c;
  }

  @Test
  void vhostCommandsAddListAndDeleteOnTheBrokersOfTheNameServer() {
    assertThat(ok("vhost", "list").out()).contains("brokers vhost").containsPattern(":\\d+ /\\n");
    assertThat(ok("vhost", "add", "sales").out()).contains("vhost sales on 127.0.0.1:");
    assertThat(ok("vhost", "add", "sales").code()).isZero(); // nothing happens if it exists
    ok("vhost", "add", "my vhost");
    String list = ok("vhost", "list").out();
    assertThat(list.lines().skip(1).map(l -> l.substring(l.indexOf(' ') + 1)))
        .startsWith("/")
        .contains("my vhost", "sales");

    Run empty = admin("vhost", "add", "");
    assertThat(empty.code()).isEqualTo(1);
    assertThat(empty.err()).contains("must not be empty");
    Run crlf = admin("vhost", "add", "a\r\nb");
    assertThat(crlf.code()).isEqualTo(1);
    assertThat(crlf.err()).contains("control characters");
    Run root = admin("vhost", "delete", "/");
    assertThat(root.code()).isEqualTo(1);
    assertThat(root.err()).contains("the default vhost / cannot be deleted");
    // What an Apache RocketMQ broker answers to a code it does not know: the name server's answer.
    Run notWharf = admin("vhost", "list", "--broker", broker.namesrvAddr());
    assertThat(notWharf.code()).isEqualTo(1);
    assertThat(notWharf.err())
        .contains(
            broker.namesrvAddr() + " does not serve vhosts (request code 7003 not supported)");

    assertThat(ok("vhost", "delete", "sales").out()).contains("deleted vhost sales on ");
    ok("vhost", "delete", "my vhost");
    assertThat(ok("vhost", "list").out()).doesNotContain("sales").doesNotContain("my vhost");
    Run again = admin("vhost", "delete", "sales");
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("no vhost 'sales'");
  }

  @Test
  void anUnknownVhostIsRefusedAndEachVhostKeepsItsOwnQueues() throws Exception {
    assertThatThrownBy(() -> connect("tenant-a"))
        .isInstanceOf(JMSSecurityException.class)
        .hasMessageContaining("vhost 'tenant-a' does not exist");
    ok("vhost", "add", "tenant-a");
    ok("vhost", "add", "tenant-b");
    // The same queue name in the default vhost (plain hostname), tenant-a and tenant-b.
    String[] vhosts = {null, "tenant-a", "tenant-b"};
    for (String v : vhosts) {
      Session s = connect(v).createSession(false, Session.AUTO_ACKNOWLEDGE);
      s.createProducer(s.createQueue("orders")).send(s.createTextMessage("for " + v));
    }
    // A plain hostname is vhost "/": what it sent is what vhost:/ reads.
    for (String v : new String[] {"/", "tenant-a", "tenant-b"}) {
      Session s = connect(v).createSession(false, Session.AUTO_ACKNOWLEDGE);
      MessageConsumer c = s.createConsumer(s.createQueue("orders"));
      Message m = c.receive(RECEIVE_MS);
      assertThat(m).as(v).isInstanceOf(TextMessage.class);
      assertThat(((TextMessage) m).getText()).isEqualTo("for " + (v.equals("/") ? null : v));
      assertThat(c.receive(ABSENT_MS)).as(v + " holds only its own").isNull();
    }
    ok("vhost", "delete", "tenant-b");
    assertThatThrownBy(() -> connect("tenant-b")).isInstanceOf(JMSSecurityException.class);
  }

  @Test
  void adminGroupsCountsAmqpConsumersAndNamesTheQueue() throws Exception {
    ok("vhost", "add", "shop");
    Session s = connect("shop").createSession(false, Session.CLIENT_ACKNOWLEDGE);
    s.createProducer(s.createQueue("backlog")).send(s.createTextMessage("1"));
    s.createProducer(s.createQueue("backlog")).send(s.createTextMessage("2"));
    MessageConsumer first = s.createConsumer(s.createQueue("carts"));
    MessageConsumer second =
        connect("shop")
            .createSession(false, Session.AUTO_ACKNOWLEDGE)
            .createConsumer(s.createQueue("carts"));

    String groups = ok("groups").out();
    assertThat(groups)
        .containsPattern("amqp-queue\\|shop\\|carts true \\d+ \\d+ false 2 vhost=shop queue=carts")
        .containsPattern(
            "amqp-queue\\|shop\\|backlog true \\d+ \\d+ false 0 vhost=shop queue=backlog");
    Run progress = ok("progress", "--group", "amqp-queue|shop|backlog");
    assertThat(progress.out()).contains("total lag 2");
    // RocketMQ's own admin API reads the same answer (mqadmin consumerConnection -b).
    String brokerAddr =
        groups.lines().filter(l -> l.contains("|carts ")).findFirst().orElseThrow().split(" ")[0];
    DefaultMQAdminExt official = new DefaultMQAdminExt();
    official.setNamesrvAddr(broker.namesrvAddr());
    official.setInstanceName("vhost-test-admin");
    official.start();
    ConsumerConnection links;
    try {
      links = official.examineConsumerConnectionInfo("amqp-queue|shop|carts", brokerAddr);
    } finally {
      official.shutdown();
    }
    assertThat(links.getConnectionSet())
        .hasSize(2)
        .allSatisfy(
            c -> {
              assertThat(c.getClientId()).startsWith("amqp:ID:");
              assertThat(c.getLanguage()).isEqualTo(LanguageCode.OTHER);
            });
    assertThat(links.getConsumeType()).isEqualTo(ConsumeType.CONSUME_POP);

    first.close();
    second.close();
    Awaitility.await("the links' ends reach the broker")
        .atMost(Duration.ofSeconds(10))
        .until(() -> admin("groups").out().contains("false 0 vhost=shop queue=carts"));
  }
}
