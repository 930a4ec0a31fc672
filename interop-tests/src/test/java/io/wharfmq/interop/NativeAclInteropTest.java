package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.client.ClientException;
import io.wharfmq.client.Credentials;
import io.wharfmq.client.DestinationAdmin;
import io.wharfmq.client.Message;
import io.wharfmq.client.Producer;
import io.wharfmq.client.SimpleConsumer;
import io.wharfmq.jms.WharfConnectionFactory;
import io.wharfmq.security.Policy;
import io.wharfmq.security.UserRecord;
import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native door with aclEnable=true against the unchanged official client (AclClientRPCHook),
 * Wharf's native client and its JMS provider: signed and permitted requests are served; unsigned,
 * wrongly signed and unpermitted ones get NO_PERMISSION (16) and nothing is stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class NativeAclInteropTest {
  private static final String ADMIN = "admin";
  private static final String ADMIN_PASSWORD = "admin-secret";
  private static final String APP = "app";
  private static final String APP_PASSWORD = "app-secret";
  private static final String TOPIC = "acl-orders";
  private static final String SECRET_TOPIC = "acl-orders-secret";
  private static final String GROUP = "acl-group";

  private WharfCluster cluster;
  private Broker broker;
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    cluster = new WharfCluster(dir);
    BrokerConfig config =
        cluster
            .brokerConfig("broker-a")
            .aclEnable(true)
            .aclInitUser(ADMIN)
            .aclInitPassword(ADMIN_PASSWORD);
    broker = cluster.startBroker(config);
    broker
        .access()
        .update(
            users -> {
              users.add(
                  UserRecord.create(
                          APP,
                          APP_PASSWORD,
                          false,
                          broker.access().sealer(),
                          broker.access().random())
                      .withPolicies(
                          List.of(
                              Policy.parse("Topic:acl-orders*", "Pub,Sub", "Allow", List.of()),
                              Policy.parse("Topic:" + SECRET_TOPIC, "Pub", "Deny", List.of()),
                              Policy.parse("Group:" + GROUP, "Sub", "Allow", List.of()))));
              return users;
            });
    try (DestinationAdmin admin =
        new DestinationAdmin(
            cluster.namesrvAddr(), Duration.ofSeconds(5), new Credentials(ADMIN, ADMIN_PASSWORD))) {
      admin.ensureTopic(TOPIC, false);
      admin.ensureTopic(SECRET_TOPIC, false);
      admin.ensureTopic("acl-forbidden", false);
    }
  }

  @AfterAll
  void stop() throws Exception {
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      closeLater.get(i).close();
    }
    cluster.close();
  }

  private DefaultMQProducer officialProducer(RPCHook hook) throws Exception {
    DefaultMQProducer p = new DefaultMQProducer(OfficialClients.unique("acl-pg"), hook);
    p.setNamesrvAddr(cluster.namesrvAddr());
    p.setInstanceName(OfficialClients.unique("acl-producer"));
    p.setRetryTimesWhenSendFailed(0);
    p.setSendMsgTimeout(5_000);
    p.start();
    closeLater.add(p::shutdown);
    return p;
  }

  private static RPCHook hook(String user, String password) {
    return new AclClientRPCHook(new SessionCredentials(user, password));
  }

  private static org.apache.rocketmq.common.message.Message official(String topic, String body) {
    return new org.apache.rocketmq.common.message.Message(
        topic, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Every message of {@code e} and its causes (the official client wraps the broker's remark). */
  private static String chain(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t.getMessage()).append('\n');
    }
    return sb.toString();
  }

  private static int brokerCode(Throwable e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof MQBrokerException b) {
        return b.getResponseCode();
      }
      if (t instanceof MQClientException c && c.getResponseCode() > 0) {
        return c.getResponseCode();
      }
      t = t.getCause();
    }
    return -1;
  }

  @Test
  void theOfficialClientSignedByAPermittedUserSendsAndOthersAreRefused() throws Exception {
    SendResult ok = officialProducer(hook(APP, APP_PASSWORD)).send(official(TOPIC, "signed"));
    assertThat(ok.getSendStatus()).isEqualTo(SendStatus.SEND_OK);

    DefaultMQProducer denied = officialProducer(hook(APP, APP_PASSWORD));
    assertThatThrownBy(() -> denied.send(official(SECRET_TOPIC, "deny wins")))
        .satisfies(e -> assertThat(brokerCode(e)).isEqualTo(16))
        .satisfies(e -> assertThat(chain(e)).contains("denied Pub on Topic:" + SECRET_TOPIC));
    assertThatThrownBy(() -> denied.send(official("acl-forbidden", "no permission")))
        .satisfies(e -> assertThat(brokerCode(e)).isEqualTo(16))
        .satisfies(
            e -> assertThat(chain(e)).contains("has no permission to Pub on Topic:acl-forbidden"));

    DefaultMQProducer unsigned = officialProducer(null);
    assertThatThrownBy(() -> unsigned.send(official(TOPIC, "unsigned")))
        .satisfies(e -> assertThat(brokerCode(e)).isEqualTo(16))
        .satisfies(e -> assertThat(chain(e)).contains("is not signed"));

    DefaultMQProducer wrong = officialProducer(hook(APP, "not-the-secret"));
    assertThatThrownBy(() -> wrong.send(official(TOPIC, "wrong secret")))
        .satisfies(e -> assertThat(brokerCode(e)).isEqualTo(16))
        .satisfies(
            e -> assertThat(chain(e)).contains("authentication failed for access key 'app'"));
  }

  @Test
  void adminRequestsNeedAnAdminOrAPermission() throws Exception {
    DefaultMQAdminExt app = new DefaultMQAdminExt(hook(APP, APP_PASSWORD));
    app.setNamesrvAddr(cluster.namesrvAddr());
    app.setInstanceName(OfficialClients.unique("acl-admin-app"));
    app.start();
    closeLater.add(app::shutdown);
    String addr = "127.0.0.1:" + broker.port();
    assertThatThrownBy(() -> app.getBrokerConfig(addr))
        .satisfies(e -> assertThat(brokerCode(e)).isEqualTo(16))
        .satisfies(e -> assertThat(chain(e)).contains("Admin on Cluster"));
    org.apache.rocketmq.common.TopicConfig tc =
        new org.apache.rocketmq.common.TopicConfig("acl-new-topic", 2, 2, 6);
    assertThatThrownBy(() -> app.createAndUpdateTopicConfig(addr, tc))
        .satisfies(e -> assertThat(brokerCode(e)).isEqualTo(16))
        .satisfies(e -> assertThat(chain(e)).contains("Create on Topic:acl-new-topic"));

    DefaultMQAdminExt root = new DefaultMQAdminExt(hook(ADMIN, ADMIN_PASSWORD));
    root.setNamesrvAddr(cluster.namesrvAddr());
    root.setInstanceName(OfficialClients.unique("acl-admin-root"));
    root.start();
    closeLater.add(root::shutdown);
    assertThat(root.getBrokerConfig(addr)).containsKey("brokerName");
    root.createAndUpdateTopicConfig(addr, tc);
  }

  @Test
  void theNativeClientSignsAndConsumesOnlyWithItsGroup() throws Exception {
    try (Producer p =
            Producer.builder()
                .namesrvAddr(cluster.namesrvAddr())
                .producerGroup("acl-native-pg")
                .credentials(new Credentials(APP, APP_PASSWORD))
                .build();
        SimpleConsumer c =
            SimpleConsumer.builder()
                .namesrvAddr(cluster.namesrvAddr())
                .consumerGroup(GROUP)
                .credentials(new Credentials(APP, APP_PASSWORD))
                .subscribe(TOPIC, "native")
                .awaitDuration(Duration.ofSeconds(1))
                .build()) {
      p.send(
          new Message(
              TOPIC,
              "native",
              List.of(),
              "from the native client".getBytes(StandardCharsets.UTF_8),
              null));
      List<String> got = new ArrayList<>();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (var m : c.receive(16, Duration.ofSeconds(30))) {
                  got.add(new String(m.view().body(), StandardCharsets.UTF_8));
                  c.ack(m);
                }
                return got.contains("from the native client");
              });
    }
    try (Producer wrong =
        Producer.builder()
            .namesrvAddr(cluster.namesrvAddr())
            .producerGroup("acl-native-wrong")
            .retries(0)
            .credentials(new Credentials(APP, "wrong-secret"))
            .build()) {
      assertThatThrownBy(() -> wrong.send(Message.of(TOPIC, "no".getBytes(StandardCharsets.UTF_8))))
          .isInstanceOfSatisfying(ClientException.class, e -> assertThat(e.code()).isEqualTo(16));
    }
    try (SimpleConsumer other =
        SimpleConsumer.builder()
            .namesrvAddr(cluster.namesrvAddr())
            .consumerGroup("acl-other-group")
            .credentials(new Credentials(APP, APP_PASSWORD))
            .subscribe(TOPIC, "*")
            .awaitDuration(Duration.ofMillis(100))
            .build()) {
      assertThatThrownBy(() -> other.receive(16, Duration.ofSeconds(30)))
          .isInstanceOfSatisfying(ClientException.class, e -> assertThat(e.code()).isEqualTo(16))
          .hasMessageContaining("Sub on Group:acl-other-group");
    }
  }

  @Test
  void theJmsProviderAuthenticatesAtConnectAndIsRefusedWhereItHasNoPermission() throws Exception {
    WharfConnectionFactory cf = new WharfConnectionFactory("wharf://" + cluster.namesrvAddr());
    assertThatThrownBy(() -> cf.createConnection(APP, "wrong-password").close())
        .isInstanceOf(JMSSecurityException.class);
    try (Connection conn = cf.createConnection(APP, APP_PASSWORD)) {
      conn.start();
      Session s = conn.createSession(false, Session.AUTO_ACKNOWLEDGE);
      s.createProducer(s.createQueue("acl-orders-jms")).send(s.createTextMessage("via jms"));
      MessageConsumer consumer = s.createConsumer(s.createQueue("acl-orders-jms"));
      TextMessage m = (TextMessage) consumer.receive(30_000);
      assertThat(m).isNotNull();
      assertThat(m.getText()).isEqualTo("via jms");
      assertThatThrownBy(
              () ->
                  s.createProducer(s.createQueue("acl-forbidden")).send(s.createTextMessage("no")))
          .isInstanceOf(JMSSecurityException.class);
    }
  }
}
