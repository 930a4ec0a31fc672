package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharfmq.amqp.transport.AmqpConfig;
import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.launcher.AmqpWiring;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue arguments seen by a real AMQP 1.0 client (rhea, a child process) over a real socket: a
 * broker with its AMQP listener in this JVM, the queues declared through its service as the
 * /management node declares them. A message past its TTL reaches the dead-letter queue with
 * x-opt-deaths and the x-first/last-death annotations and without its TTL; a rejected one too; a
 * full reject-publish queue refuses with amqp:resource-limit-exceeded and {queue, reason: maxlen};
 * of two links on a single-active-consumer queue only the first gets messages until it detaches; an
 * auto-delete queue goes when its last consumer link detaches.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class QueueArgumentsInteropTest {

  @Test
  void ttlRejectionAndRejectPublishAsRabbitMqShowsThem(@TempDir Path dir) throws Exception {
    BrokerConfig config =
        new BrokerConfig(dir.resolve("wharf")).listenPort(0).bindAddress("127.0.0.1");
    config.store().mappedFileSizeCommitLog(4 * 1024 * 1024).maxHashSlotNum(256).maxIndexNum(4000);
    try (Broker broker = Broker.start(config, InstantSource.system());
        AmqpListener amqp =
            AmqpWiring.start(
                new AmqpConfig().amqpPort(0).amqpBindAddress("127.0.0.1"),
                broker.messagingService())) {
      MessagingService service = broker.messagingService();
      String q = "qargs";
      declare(service, q + "-dead", Map.of());
      declare(
          service,
          q + "-ttl",
          Map.of(
              "x-message-ttl",
              300L,
              "x-dead-letter-exchange",
              "",
              "x-dead-letter-routing-key",
              q + "-dead"));
      declare(
          service,
          q + "-work",
          Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", q + "-dead"));
      declare(service, q + "-single", Map.of("x-single-active-consumer", true));
      assertThat(
              service
                  .declareQueue(new QueueSpec("/", q + "-auto", true, false, true, Map.of(), null))
                  .isOk())
          .isTrue();
      declare(service, q + "-limited", Map.of("x-max-length", 1L, "x-overflow", "reject-publish"));

      Map<String, JsonNode> facts =
          ScenarioScript.RHEA.run(listenerOf(amqp), "queue-arguments", q, null, dir.resolve("out"));

      JsonNode expired = facts.get("expired");
      assertThat(expired.get("body").asText()).isEqualTo("short-lived");
      assertThat(expired.get("ttl").isNull()).isTrue(); // no TTL after dead-lettering
      assertThat(expired.get("firstAcquirer").asBoolean()).isFalse();
      JsonNode death = expired.get("deaths").get(0);
      assertThat(expired.get("deaths")).hasSize(1);
      assertThat(death.get("queue").asText()).isEqualTo(q + "-ttl");
      assertThat(death.get("reason").asText()).isEqualTo("expired");
      assertThat(death.get("count").asLong()).isEqualTo(1);
      assertThat(death.get("exchange").asText()).isEmpty();
      assertThat(death.get("routingKeys").get(0).asText()).isEqualTo(q + "-ttl");
      assertThat(death.get("ttl").asLong()).isEqualTo(60000);
      assertThat(death.get("timesOrdered").asBoolean()).isTrue();
      assertThat(expired.get("firstDeathReason").asText()).isEqualTo("expired");
      assertThat(expired.get("firstDeathQueue").asText()).isEqualTo(q + "-ttl");

      JsonNode rejected = facts.get("rejected");
      assertThat(rejected.get("body").asText()).isEqualTo("refuse-me");
      assertThat(rejected.get("deaths").get(0).get("reason").asText()).isEqualTo("rejected");
      assertThat(rejected.get("deaths").get(0).get("queue").asText()).isEqualTo(q + "-work");
      assertThat(rejected.get("lastDeathReason").asText()).isEqualTo("rejected");

      assertThat(facts.get("limitedFirst").get(0).asText()).isEqualTo("accepted");
      JsonNode refused = facts.get("limitedSecond");
      assertThat(refused.isObject()).as("second publish refused: %s", facts).isTrue();
      assertThat(refused.get("condition").asText()).isEqualTo("amqp:resource-limit-exceeded");
      assertThat(refused.get("queue").asText()).isEqualTo(q + "-limited");
      assertThat(refused.get("reason").asText()).isEqualTo("maxlen");

      assertThat(facts.get("singleFirst").get(0).asText()).isEqualTo("s1");
      assertThat(facts.get("singleStandbyBeforeDetach")).isEmpty();
      assertThat(facts.get("singleAfterDetach").get(0).asText()).isEqualTo("s2");

      assertThat(facts.get("autoDetached").asBoolean()).isTrue();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> service.queue("/", q + "-auto").status() == Status.NOT_FOUND);
    }
  }

  private static void declare(MessagingService service, String name, Map<String, Object> args) {
    var r = service.declareQueue(new QueueSpec("/", name, true, false, false, args, null));
    assertThat(r.isOk()).as(String.valueOf(r.detail())).isTrue();
  }

  /** The in-JVM listener as ScenarioScript's broker under test. */
  private static AmqpBrokerUnderTest listenerOf(AmqpListener amqp) {
    return new AmqpBrokerUnderTest() {
      @Override
      public String name() {
        return "wharf-in-jvm";
      }

      @Override
      public void start(Path dataDir) {}

      @Override
      public void stop() {}

      @Override
      public String host() {
        return "127.0.0.1";
      }

      @Override
      public int amqpPort() {
        return amqp.port();
      }

      @Override
      public Optional<String> deadLetterAddress(String queue) {
        return Optional.empty();
      }

      @Override
      public boolean undeliverableHereDeadLetters() {
        return true;
      }
    };
  }
}
