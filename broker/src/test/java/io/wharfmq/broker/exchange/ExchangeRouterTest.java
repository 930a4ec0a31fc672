package io.wharfmq.broker.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Status;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ExchangeRouter} over topologies built in memory: each exchange type (RabbitMQ tutorial
 * five's topic cases among them), exchange-to-exchange bindings with a cycle, the alternate
 * exchange, internal exchanges, CC keys and the default exchange.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ExchangeRouterTest {
  private final Map<Topology.Key, ExchangeSpec> exchanges = new LinkedHashMap<>();
  private final Map<Topology.Key, QueueSpec> queues = new LinkedHashMap<>();
  private final Set<BindingSpec> bindings = new LinkedHashSet<>();

  private void exchange(
      String name, ExchangeType type, Map<String, Object> args, boolean internal) {
    exchanges.put(
        new Topology.Key("/", name),
        new ExchangeSpec("/", name, type, true, false, internal, args));
  }

  private void exchange(String name, ExchangeType type) {
    exchange(name, type, Map.of(), false);
  }

  private void bind(String source, String queue, String key) {
    bind(source, queue, key, Map.of());
  }

  private void bind(String source, String queue, String key, Map<String, Object> args) {
    queues.putIfAbsent(
        new Topology.Key("/", queue),
        new QueueSpec("/", queue, true, false, false, Map.of(), null));
    bindings.add(new BindingSpec("/", source, queue, true, key, args));
  }

  private void bindExchange(String source, String destination, String key) {
    bindings.add(new BindingSpec("/", source, destination, false, key, Map.of()));
  }

  private ExchangeRouter.Route route(String exchange, Map<String, Object> headers, String... keys) {
    Topology t = new Topology(Set.of("/"), exchanges, queues, bindings);
    return ExchangeRouter.route(
        t,
        "/",
        exchange,
        List.of(keys),
        () -> headers,
        q -> queues.containsKey(new Topology.Key("/", q)));
  }

  private List<String> queuesOf(String exchange, String... keys) {
    ExchangeRouter.Route r = route(exchange, Map.of(), keys);
    assertThat(r.status()).isEqualTo(Status.OK);
    return r.queues();
  }

  @Test
  void directMatchesTheWholeKeyAndCcKeysRouteToo() {
    exchange("d", ExchangeType.DIRECT);
    bind("d", "q1", "black");
    bind("d", "q2", "green");
    bind("d", "q3", "green");
    assertThat(queuesOf("d", "black")).containsExactly("q1");
    assertThat(queuesOf("d", "green")).containsExactly("q2", "q3");
    assertThat(queuesOf("d", "blue")).isEmpty();
    assertThat(queuesOf("d", "black", "green", "black")).containsExactly("q1", "q2", "q3");
  }

  @Test
  void fanoutReachesEveryBoundQueueOnce() {
    exchange("f", ExchangeType.FANOUT);
    bind("f", "q1", "");
    bind("f", "q2", "ignored");
    bind("f", "q2", "other");
    assertThat(queuesOf("f", "anything")).containsExactly("q1", "q2");
  }

  @Test
  void topicFollowsTutorialFive() {
    exchange("t", ExchangeType.TOPIC);
    bind("t", "Q1", "*.orange.*");
    bind("t", "Q2", "*.*.rabbit");
    bind("t", "Q2", "lazy.#");
    assertThat(queuesOf("t", "quick.orange.rabbit")).containsExactly("Q1", "Q2");
    assertThat(queuesOf("t", "lazy.orange.elephant")).containsExactly("Q1", "Q2");
    assertThat(queuesOf("t", "quick.orange.fox")).containsExactly("Q1");
    assertThat(queuesOf("t", "lazy.brown.fox")).containsExactly("Q2");
    assertThat(queuesOf("t", "lazy.pink.rabbit")).containsExactly("Q2");
    assertThat(queuesOf("t", "quick.brown.fox")).isEmpty();
    assertThat(queuesOf("t", "orange")).isEmpty();
    assertThat(queuesOf("t", "quick.orange.male.rabbit")).isEmpty();
    assertThat(queuesOf("t", "lazy.orange.male.rabbit")).containsExactly("Q2");
  }

  @Test
  void topicWildcardsAtTheEdges() {
    assertThat(new TopicPattern("#").matches(TopicPattern.words(""))).isTrue();
    assertThat(new TopicPattern("#").matches(TopicPattern.words("a.b.c"))).isTrue();
    assertThat(new TopicPattern("a.#").matches(TopicPattern.words("a"))).isTrue();
    assertThat(new TopicPattern("#.a").matches(TopicPattern.words("b.a"))).isTrue();
    assertThat(new TopicPattern("#.a.#").matches(TopicPattern.words("x.a.y.z"))).isTrue();
    assertThat(new TopicPattern("a.#.b").matches(TopicPattern.words("a.b"))).isTrue();
    assertThat(new TopicPattern("a.#.b").matches(TopicPattern.words("a.x.y.b"))).isTrue();
    assertThat(new TopicPattern("a.#.b").matches(TopicPattern.words("a.x.y"))).isFalse();
    assertThat(new TopicPattern("*").matches(TopicPattern.words(""))).isFalse();
    assertThat(new TopicPattern("*").matches(TopicPattern.words("a"))).isTrue();
    assertThat(new TopicPattern("*.*").matches(TopicPattern.words("a"))).isFalse();
    assertThat(new TopicPattern("").matches(TopicPattern.words(""))).isTrue();
    assertThat(new TopicPattern("a..b").matches(TopicPattern.words("a..b"))).isTrue();
    assertThat(new TopicPattern("a.*.b").matches(TopicPattern.words("a..b"))).isTrue();
  }

  @Test
  void headersMatchAllAnyAndWithXAgainstTypedProperties() {
    exchange("h", ExchangeType.HEADERS);
    bind("h", "all", "", Map.of("x-match", "all", "format", "pdf", "size", 10L));
    bind("h", "any", "", Map.of("x-match", "any", "format", "pdf", "size", 10L));
    bind("h", "default-all", "", Map.of("format", "zip"));
    Map<String, Object> nullValue = new HashMap<>();
    nullValue.put("x-match", "any");
    nullValue.put("flag", null);
    bind("h", "presence", "", nullValue);
    bind("h", "with-x", "", Map.of("x-match", "all-with-x", "x-kind", "a"));
    bind("h", "without-x", "", Map.of("x-match", "all", "x-kind", "b"));
    bind("h", "double", "", Map.of("x-match", "any", "ratio", 0.5));

    assertThat(route("h", Map.of("format", "pdf", "size", 10), "").queues())
        .as("an int property matches a long argument")
        .containsExactlyInAnyOrder("all", "any", "without-x");
    assertThat(route("h", Map.of("format", "pdf", "size", "10"), "").queues())
        .as("a string is not a number")
        .containsExactlyInAnyOrder("any", "without-x");
    assertThat(route("h", Map.of("format", "zip", "flag", true), "").queues())
        .containsExactlyInAnyOrder("default-all", "presence", "without-x");
    assertThat(route("h", Map.of("x-kind", "a", "ratio", 0.5f), "").queues())
        .containsExactlyInAnyOrder("with-x", "without-x", "double");
    assertThat(route("h", Map.of("ratio", 1L), "").queues())
        .as("an integral number is not a floating one")
        .containsExactlyInAnyOrder("without-x");
  }

  @Test
  void exchangeToExchangeBindingsWithACycleReachEachQueueOnce() {
    exchange("a", ExchangeType.FANOUT);
    exchange("b", ExchangeType.TOPIC);
    exchange("c", ExchangeType.DIRECT);
    bindExchange("a", "b", "");
    bindExchange("b", "c", "#");
    bindExchange("c", "a", "k"); // cycle a -> b -> c -> a
    bind("a", "qa", "");
    bind("b", "qb", "k");
    bind("c", "qc", "k");
    bind("c", "qa", "k");
    assertThat(queuesOf("a", "k")).containsExactly("qa", "qb", "qc");
    assertThat(queuesOf("c", "k")).containsExactly("qc", "qa", "qb");
    assertThat(queuesOf("c", "z")).isEmpty();
  }

  @Test
  void alternateExchangeTakesWhatMatchedNothing() {
    exchange("ae", ExchangeType.FANOUT);
    exchange("main", ExchangeType.DIRECT, Map.of("alternate-exchange", "ae"), false);
    exchange("loop", ExchangeType.DIRECT, Map.of("alternate-exchange", "loop"), false);
    bind("main", "orders", "order");
    bind("ae", "unrouted", "");
    assertThat(queuesOf("main", "order")).containsExactly("orders");
    assertThat(queuesOf("main", "other")).containsExactly("unrouted");
    assertThat(queuesOf("loop", "x")).isEmpty();
  }

  @Test
  void internalExchangesAreNoPublishTargetsButReachableByBindings() {
    exchange("inner", ExchangeType.FANOUT, Map.of(), true);
    exchange("outer", ExchangeType.FANOUT);
    bindExchange("outer", "inner", "");
    bind("inner", "q", "");
    assertThat(route("inner", Map.of(), "").status()).isEqualTo(Status.FORBIDDEN);
    assertThat(queuesOf("outer", "")).containsExactly("q");
    assertThat(route("missing", Map.of(), "").status()).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void defaultAndPredeclaredExchanges() {
    bind("amq.topic", "q1", "a.*");
    assertThat(queuesOf("", "q1")).containsExactly("q1");
    assertThat(queuesOf("", "nope")).isEmpty();
    assertThat(queuesOf("amq.topic", "a.b")).containsExactly("q1");
    assertThat(queuesOf("amq.fanout", "a.b")).isEmpty();
  }
}
