package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.wharfmq.interop.amqp.AmqpManagementClient.Response;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RabbitMQ 4's address v2 used directly by rhea and Qpid Proton for Python (scenario {@code v2} of
 * both scripts, {@link ScenarioScript}) against a Wharf process: publishing to {@code
 * /exchanges/amq.topic/KEY} and to a declared exchange, consuming {@code /queues/Q} of queues bound
 * through {@code /management} (declared by this class before the script runs) with the {@code
 * x-exchange} and {@code x-routing-key} annotations, {@code released} for an unroutable unsettled
 * send, percent-encoded names and keys (space, slash, non-ASCII), and bad v2 addresses refused with
 * a null terminus and a detach carrying RabbitMQ's error (docs/rabbitmq.md "Addresses"). Wharf
 * only: Artemis knows no v2 addresses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WharfV2AddressInteropTest {
  /** JSON for the script's command line in ASCII only (the locale may not carry UTF-8 argv). */
  private static final ObjectMapper ASCII_JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private static final ObjectMapper JSON = new ObjectMapper();

  private final WharfAmqpBroker broker = new WharfAmqpBroker();
  private Path dir;

  @BeforeAll
  void startBroker(@TempDir Path dir) throws Exception {
    this.dir = dir;
    broker.start(dir.resolve("wharf"));
  }

  @AfterAll
  void stopBroker() throws Exception {
    broker.stop();
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static void expect(Response r, int status) {
    assertThat(r.status()).as("%s", r).isEqualTo(status);
  }

  @ParameterizedTest
  @EnumSource(ScenarioScript.class)
  void v2AddressesPublishToExchangesAndConsumeQueues(ScenarioScript client) throws Exception {
    String u = AmqpBrokerUnderTest.unique("v2");
    Map<String, Object> names =
        map(
            "topicQueue", u + "-tq",
            "topicKey", u + ".a.k",
            "unroutableKey", u + ".none",
            "exchange", u + " x \u00e9",
            "queue", u + " q/\u00e9",
            "key", "r k/1",
            "absent", u + " absent");
    try (AmqpManagementClient m = new AmqpManagementClient(broker.host(), broker.amqpPort())) {
      Map<String, Object> queue = map("durable", true, "arguments", Map.of());
      expect(m.request("PUT", "/queues/" + PercentEncode.of(u + "-tq"), queue), 201);
      expect(
          m.request("PUT", "/queues/" + PercentEncode.of((String) names.get("queue")), queue), 201);
      expect(
          m.request(
              "PUT",
              "/exchanges/" + PercentEncode.of((String) names.get("exchange")),
              map("type", "direct", "durable", true)),
          204);
      expect(
          m.request(
              "POST",
              "/bindings",
              map(
                  "source",
                  "amq.topic",
                  "destination_queue",
                  u + "-tq",
                  "binding_key",
                  u + ".*.k",
                  "arguments",
                  Map.of())),
          204);
      expect(
          m.request(
              "POST",
              "/bindings",
              map(
                  "source", names.get("exchange"),
                  "destination_queue", names.get("queue"),
                  "binding_key", names.get("key"),
                  "arguments", Map.of())),
          204);
    }

    Map<String, JsonNode> f =
        client.run(broker, "v2", u, ASCII_JSON.writeValueAsString(names), dir.resolve("scripts"));
    System.out.println(client + " v2 facts: " + f);

    assertThat(f.get("topicOutcomes")).isEqualTo(JSON.readTree("[\"accepted\",\"released\"]"));
    assertThat(f.get("exchangeOutcomes")).isEqualTo(JSON.readTree("[\"accepted\"]"));
    assertThat(f.get("queueOutcomes")).isEqualTo(JSON.readTree("[\"accepted\"]"));
    assertThat(f.get("topicReceived"))
        .isEqualTo(
            JSON.valueToTree(
                List.of(map("body", "t1", "exchange", "amq.topic", "routingKey", u + ".a.k"))));
    assertThat(f.get("topicLeft")).as("the released message went nowhere").isEmpty();
    assertThat(f.get("queueReceived"))
        .isEqualTo(
            JSON.valueToTree(
                List.of(
                    map("body", "q1", "exchange", null, "routingKey", null),
                    map("body", "x1", "exchange", names.get("exchange"), "routingKey", "r k/1"))));
    JsonNode refused = f.get("refused");
    Map<String, String> conditions = new LinkedHashMap<>();
    conditions.put("target /exchanges/amq.default/k", "amqp:invalid-field");
    conditions.put("target /exchanges/" + PercentEncode.of(u + " absent") + "/k", "amqp:not-found");
    conditions.put("target /queues", "amqp:invalid-field");
    conditions.put("source /queues/a%zz", "amqp:invalid-field");
    conditions.put("source /exchanges/amq.topic", "amqp:invalid-field");
    assertThat(refused).as("refusals").hasSize(conditions.size());
    conditions.forEach(
        (address, condition) -> {
          JsonNode r = refused.get(address);
          assertThat(r).as("refusal of %s in %s", address, refused).isNotNull();
          assertThat(r.get("nullTerminus").asBoolean()).as("%s: null terminus", address).isTrue();
          assertThat(r.get("condition").asText()).as("%s: error", address).isEqualTo(condition);
        });
  }

  /** RFC 3986 percent-encoding of every byte but the unreserved characters, as the scripts do. */
  static final class PercentEncode {
    private PercentEncode() {}

    static String of(String name) {
      StringBuilder b = new StringBuilder();
      for (byte x : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
        char c = (char) (x & 0xff);
        if ((c >= 'A' && c <= 'Z')
            || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9')
            || c == '-'
            || c == '.'
            || c == '_'
            || c == '~') {
          b.append(c);
        } else {
          b.append('%').append(String.format("%02X", x & 0xff));
        }
      }
      return b.toString();
    }
  }
}
