package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Raw AMQP 1.0 against one broker under test, each scenario driven by two real clients as child
 * processes: rhea (Node.js) and Qpid Proton for Python ({@link ScenarioScript}). Both scripts print
 * the same facts, so one set of expectations covers both: credit and drain, every consumer outcome,
 * pre-settled links both ways, dynamic nodes, 1 MiB messages and many links on one session.
 *
 * <p>Expectations are the AMQP 1.0 specification's and, where a broker may choose, gateway.md's;
 * where Artemis (the reference) and Wharf differ by design, the difference is a method of {@link
 * AmqpBrokerUnderTest}. One broker per class; each test its own queues.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class RawAmqpSuite {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AmqpBrokerUnderTest broker;
  private Path dir;

  abstract AmqpBrokerUnderTest newBroker();

  @BeforeAll
  void startBroker(@TempDir Path dir) throws Exception {
    this.dir = dir;
    broker = newBroker();
    broker.start(dir.resolve(broker.name()));
  }

  @AfterAll
  void stopBroker() throws Exception {
    if (broker != null) {
      broker.stop();
    }
  }

  private Map<String, JsonNode> run(ScenarioScript client, String scenario, String extra)
      throws Exception {
    String address = broker.queueAddress(AmqpBrokerUnderTest.unique(scenario));
    return client.run(broker, scenario, address, extra, dir.resolve("scripts"));
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  /** The body of a described delivery fact, or null when the fact says "no delivery". */
  private static String body(Map<String, JsonNode> facts, String key) {
    JsonNode d = facts.get(key);
    assertThat(d).as("fact %s", key).isNotNull();
    return d.isNull() ? null : d.get("body").asText();
  }

  @ParameterizedTest
  @EnumSource(ScenarioScript.class)
  void creditIsAHardLimitAndDrainSpendsTheRest(ScenarioScript client) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        answersEveryDrain(), "this broker does not answer every drain in time (see the subclass)");
    Map<String, JsonNode> f = run(client, "credit-drain", null);

    assertThat(f.get("sendOutcomes"))
        .isEqualTo(json("[\"accepted\",\"accepted\",\"accepted\",\"accepted\",\"accepted\"]"));
    assertThat(f.get("firstDrain"))
        .as("drains of credit 2 with 5 waiting")
        .isEqualTo(json("[\"m1\",\"m2\"]"));
    assertThat(f.get("creditAfterFirstDrain").asInt()).isZero();
    assertThat(f.get("secondDrain"))
        .as("drains of credit 10 with 3 waiting")
        .isEqualTo(json("[\"m3\",\"m4\",\"m5\"]"));
    assertThat(f.get("creditAfterSecondDrain").asInt()).as("drain spent the rest").isZero();
    assertThat(f.get("emptyDrain")).as("drain with nothing waiting").isEqualTo(json("[]"));
    assertThat(f.get("creditAfterEmptyDrain").asInt()).isZero();
    assertThat(f.get("creditFlowDelivery"))
        .as("a plain flow waits for the next message")
        .isEqualTo(json("[\"later\"]"));
  }

  @ParameterizedTest
  @EnumSource(ScenarioScript.class)
  void everyConsumerOutcomeHasItsEffect(ScenarioScript client) throws Exception {
    String address = broker.queueAddress(AmqpBrokerUnderTest.unique("outcomes"));
    Map<String, String> deadLetters = new LinkedHashMap<>();
    // Only where a message is expected: reading a dead-letter queue that has no message yet may
    // create it with other settings (Artemis's auto-created dead-letter queues).
    List<String> deadLettered =
        broker.undeliverableHereDeadLetters()
            ? List.of("rejected", "modified-undeliverable")
            : List.of("rejected");
    for (String kind : deadLettered) {
      broker
          .deadLetterAddress(address + "-" + kind)
          .ifPresent(dlq -> deadLetters.put(address + "-" + kind, dlq));
    }
    Map<String, JsonNode> f =
        client.run(
            broker,
            "outcomes",
            address,
            JSON.writeValueAsString(deadLetters),
            dir.resolve("scripts"));

    for (String kind :
        List.of("accepted", "released", "modified-failed", "modified-undeliverable", "rejected")) {
      assertThat(body(f, kind + ".first")).as(kind).isEqualTo(kind);
      assertThat(f.get(kind + ".first").get("deliveryCount").asInt()).as(kind).isZero();
    }
    assertThat(body(f, "accepted.sameLink")).as("accepted: gone").isNull();
    assertThat(body(f, "accepted.newLink")).as("accepted: gone").isNull();

    assertThat(body(f, "released.sameLink")).isEqualTo("released");
    assertThat(body(f, "modified-failed.sameLink")).isEqualTo("modified-failed");
    assertThat(f.get("modified-failed.sameLink").get("deliveryCount").asInt())
        .as("modified(delivery-failed) counts a delivery")
        .isEqualTo(1);
    assertThat(f.get("modified-failed.sameLink").get("firstAcquirer").asBoolean()).isFalse();

    assertThat(body(f, "modified-undeliverable.sameLink"))
        .as("modified(undeliverable-here): never again to the link that refused it")
        .isNull();
    if (broker.undeliverableHereDeadLetters()) {
      assertThat(body(f, "modified-undeliverable.newLink"))
          .as("modified(undeliverable-here) dead-letters")
          .isNull();
      if (deadLetters.containsKey(address + "-modified-undeliverable")) {
        assertThat(body(f, "modified-undeliverable.deadLetter"))
            .as("modified(undeliverable-here): in the dead-letter destination")
            .isEqualTo("modified-undeliverable");
      }
    } else {
      assertThat(body(f, "modified-undeliverable.newLink"))
          .as("modified(undeliverable-here): another link may get it")
          .isEqualTo("modified-undeliverable");
    }

    assertThat(body(f, "rejected.sameLink")).as("rejected: never redelivered").isNull();
    assertThat(body(f, "rejected.newLink")).as("rejected: never redelivered").isNull();
    if (deadLetters.containsKey(address + "-rejected")) {
      assertThat(body(f, "rejected.deadLetter"))
          .as("rejected: in the dead-letter destination")
          .isEqualTo("rejected");
    }
  }

  @ParameterizedTest
  @EnumSource(ScenarioScript.class)
  void preSettledLinksBothWays(ScenarioScript client) throws Exception {
    Map<String, JsonNode> f = run(client, "presettled", null);

    assertThat(f.get("senderSettleMode").asInt())
        .as("the broker's reply keeps settled")
        .isEqualTo(1);
    assertThat(f.get("receiverSettleMode").asInt()).isEqualTo(1);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      expected.add("p" + i);
    }
    assertThat(f.get("received")).isEqualTo(JSON.valueToTree(expected));
    assertThat(f.get("allSettled").asBoolean()).as("deliveries arrive settled").isTrue();
    assertThat(f.get("leftAfterPresettledReceive"))
        .as("settled deliveries are consumed")
        .isEqualTo(json("[]"));
  }

  @ParameterizedTest
  @EnumSource(ScenarioScript.class)
  void dynamicSourceAndTargetNodes(ScenarioScript client) throws Exception {
    Map<String, JsonNode> f = run(client, "dynamic", null);

    assertThat(f.get("dynamicSourceAddress").asText()).isNotEmpty();
    assertThat(f.get("sendToDynamicSource")).isEqualTo(json("[\"accepted\"]"));
    assertThat(f.get("dynamicSourceReceived")).isEqualTo(json("[\"to the dynamic source\"]"));
    assertThat(f.get("dynamicTargetAddress").asText())
        .isNotEmpty()
        .isNotEqualTo(f.get("dynamicSourceAddress").asText());
    assertThat(f.get("sendToDynamicTarget")).isEqualTo(json("[\"accepted\"]"));
    assertThat(f.get("dynamicTargetReceived")).isEqualTo(json("[\"to the dynamic target\"]"));
  }

  @ParameterizedTest
  @EnumSource(ScenarioScript.class)
  void oneMebibyteMessageArrivesWhole(ScenarioScript client) throws Exception {
    Map<String, JsonNode> f = run(client, "large", Integer.toString(1 << 20));

    assertThat(f.get("outcome")).isEqualTo(json("[\"accepted\"]"));
    assertThat(f.get("sent").get("size").asInt()).isEqualTo(1 << 20);
    assertThat(f.get("received")).isEqualTo(f.get("sent"));
  }

  @ParameterizedTest
  @EnumSource(ScenarioScript.class)
  void manyLinksOnOneSession(ScenarioScript client) throws Exception {
    Map<String, JsonNode> f = run(client, "many-links", "50");

    assertThat(f.get("linksOpen").asInt()).isEqualTo(100);
    assertThat(f.get("sessions").asInt()).isEqualTo(1);
    assertThat(f.get("accepted").asInt()).isEqualTo(50);
    assertThat(f.get("matched").asInt())
        .as("each receiver got its own queue's message")
        .isEqualTo(50);
  }

  /**
   * Whether the broker answers a second drain with the messages that wait, within the scenario's
   * time. Artemis 2.37 sometimes leaves it unanswered for over 30 s (one CI run in several), so its
   * run of this one scenario would make the build flaky.
   */
  boolean answersEveryDrain() {
    return true;
  }
}
