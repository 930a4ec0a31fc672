package io.wharfmq.amqp.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.Declared;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.QueueInfo;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The /management node's operations and codec: requests encoded as a client sends them, answered by
 * {@link ManagementRequests} over a small topology held in maps (the service is not the subject
 * here; the broker's topology has its own tests), responses decoded as a client reads them.
 */
@Timeout(10)
class ManagementRequestsTest {
  private final Map<String, QueueSpec> queues = new HashMap<>();
  private final Map<String, ExchangeSpec> exchanges = new HashMap<>();
  private final List<BindingSpec> bindings = new ArrayList<>();
  private final List<String> forgotten = new ArrayList<>();
  private final List<String> exclusive = new ArrayList<>();
  private final ManagementRequests node =
      new ManagementRequests(
          topology(),
          "wharf-node",
          new ManagementRequests.Links() {
            @Override
            public int consumers(String queueGroup) {
              return queueGroup.equals(DestinationNames.queueGroup("q1")) ? 2 : 0;
            }

            @Override
            public void queueDeleted(String topic) {
              forgotten.add(topic);
            }

            @Override
            public void exclusiveQueueDeclared(String vhost, String name) {
              exclusive.add(name);
            }
          });

  @Test
  void declaresGetsPurgesAndDeletesQueues() {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("x-queue-type", "quorum");
    args.put("x-message-ttl", UnsignedInteger.valueOf(1000));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("durable", true);
    body.put("arguments", args);
    ManagementResponse created = call("PUT", "/queues/q1", body);
    assertThat(created.status()).isEqualTo(201);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) created.body();
    assertThat(m.get("name")).isEqualTo("q1");
    assertThat(m.get("type")).isEqualTo("quorum");
    assertThat(m.get("message_count")).isEqualTo(UnsignedLong.valueOf(0));
    assertThat(m.get("consumer_count")).isEqualTo(UnsignedInteger.valueOf(2));
    assertThat((Object[]) m.get("replicas")).containsExactly("wharf-node");
    assertThat(m.get("leader")).isEqualTo("wharf-node");
    assertThat(m.get("arguments"))
        .isEqualTo(Map.of("x-queue-type", "quorum", "x-message-ttl", 1000L));

    assertThat(call("PUT", "/queues/q1", body).status()).isEqualTo(200);
    assertThat(exclusive).isEmpty();
    assertThat(call("PUT", "/queues/mine", Map.of("exclusive", true)).status()).isEqualTo(201);
    assertThat(exclusive).containsExactly("mine");
    assertThat(queues.get("mine").owner()).isEqualTo("conn-1");
    assertThat(call("PUT", "/queues/q1", Map.of("durable", false)).status()).isEqualTo(409);
    assertThat(call("GET", "/queues/q1", null).status()).isEqualTo(200);
    assertThat(call("GET", "/queues/nope", null).status()).isEqualTo(404);
    ManagementResponse purged = call("DELETE", "/queues/q1/messages", null);
    assertThat(purged.status()).isEqualTo(200);
    assertThat(purged.body()).isEqualTo(Map.of("message_count", UnsignedLong.valueOf(7)));
    ManagementResponse deleted = call("DELETE", "/queues/q1", null);
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body()).isEqualTo(Map.of("message_count", UnsignedLong.valueOf(7)));
    assertThat(forgotten).containsExactly("q1");
  }

  @Test
  void refusesNamesAndBodiesAsRabbitMqDoes() {
    assertThat(call("PUT", "/queues/amq.q", null).status()).isEqualTo(403);
    assertThat(call("PUT", "/queues/a%0Ab", null).status()).isEqualTo(400);
    assertThat(call("PUT", "/queues/a%0Db", null).status()).isEqualTo(400);
    assertThat(call("PUT", "/queues/q", Map.of("colour", "red")).status()).isEqualTo(400);
    assertThat(call("PUT", "/queues/q", Map.of("durable", "yes")).status()).isEqualTo(400);
    assertThat(call("PUT", "/exchanges/amq.mine", null).status()).isEqualTo(403);
    assertThat(call("PUT", "/exchanges/amq.default", null).status()).isEqualTo(403);
    assertThat(call("PUT", "/exchanges/x", Map.of("type", "nonsense")).status()).isEqualTo(400);
    assertThat(call("DELETE", "/exchanges/amq.direct", null).status()).isEqualTo(403);
    assertThat(call("DELETE", "/bindings/nonsense", null).status()).isEqualTo(400);
    assertThat(call("GET", "/bindings?src=x&key=k", null).status()).isEqualTo(400);
    assertThat(call("PATCH", "/queues/q", null).status()).isEqualTo(400);
    assertThat(call("PUT", "/auth/tokens", null).status()).isEqualTo(501);
    ManagementResponse noPair =
        node.handle(new ManagementRequest("id", "GET", "/queues/q", "elsewhere", null), "/", "c");
    assertThat(noPair.status()).isEqualTo(400);
  }

  @Test
  void declaresExchangesAndRedeclaresPredeclaredOnesEquivalently() {
    assertThat(call("PUT", "/exchanges/logs", Map.of("type", "fanout")).status()).isEqualTo(204);
    assertThat(exchanges.get("logs").type()).isEqualTo(ExchangeType.FANOUT);
    assertThat(call("PUT", "/exchanges/logs", Map.of("type", "topic")).status()).isEqualTo(409);
    assertThat(call("PUT", "/exchanges/amq.direct", null).status()).isEqualTo(204);
    assertThat(call("PUT", "/exchanges/amq.direct", Map.of("type", "topic")).status())
        .isEqualTo(409);
    assertThat(call("DELETE", "/exchanges/logs", null).status()).isEqualTo(204);
    assertThat(exchanges).doesNotContainKey("logs");
  }

  @Test
  void bindsListsAndUnbindsThroughTheLocation() {
    queues.put("q/1", new QueueSpec("/", "q/1", true, false, false, Map.of(), null));
    Map<String, Object> args = Map.of("x-match", "all", "colour", "red");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("source", "hdr");
    body.put("destination_queue", "q/1");
    body.put("binding_key", "k 1");
    body.put("arguments", args);
    assertThat(call("POST", "/bindings", body).status()).isEqualTo(204);
    Map<String, Object> plain = new LinkedHashMap<>(body);
    plain.put("arguments", Map.of());
    assertThat(call("POST", "/bindings", plain).status()).isEqualTo(204);

    ManagementResponse listed = call("GET", "/bindings?src=hdr&dstq=q%2F1&key=k+1", null);
    assertThat(listed.status()).isEqualTo(200);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> list = (List<Map<String, Object>>) listed.body();
    assertThat(list).hasSize(2);
    String location =
        list.stream()
            .filter(b -> !((Map<?, ?>) b.get("arguments")).isEmpty())
            .map(b -> (String) b.get("location"))
            .findFirst()
            .orElseThrow();
    assertThat(location).startsWith("/bindings/src=hdr;dstq=q%2F1;key=k%201;args=");
    assertThat(location.substring(location.indexOf("args=") + 5)).matches("[A-Za-z0-9_-]{8}");

    assertThat(call("DELETE", location, null).status()).isEqualTo(204);
    assertThat(bindings).hasSize(1);
    assertThat(bindings.get(0).arguments()).isEmpty();
    assertThat(call("DELETE", "/bindings/src=hdr;dstq=q%2F1;key=k%201;args=", null).status())
        .isEqualTo(204);
    assertThat(bindings).isEmpty();
    assertThat(call("DELETE", location, null).status()).as("absent").isEqualTo(204);
    assertThat(call("POST", "/bindings", Map.of("source", "", "destination_queue", "q")).status())
        .isEqualTo(403);
  }

  @Test
  void codecWritesRabbitMqsResponseMessage() {
    byte[] bytes = ManagementCodec.encodeResponse("req-1", new ManagementResponse(204, null));
    org.apache.qpid.proton.message.Message m =
        org.apache.qpid.proton.message.Message.Factory.create();
    m.decode(bytes, 0, bytes.length);
    assertThat(m.getCorrelationId()).isEqualTo("req-1");
    assertThat(m.getSubject()).isEqualTo("204");
    assertThat(m.getApplicationProperties().getValue()).isEqualTo(Map.of("http:response", "1.1"));
    assertThat(ManagementCodec.argsHash(Map.of())).isEmpty();
    assertThat(ManagementCodec.argsHash(Map.of("a", 1L, "b", "x")))
        .isEqualTo(ManagementCodec.argsHash(new LinkedHashMap<>(Map.of("b", "x", "a", 1L))))
        .isNotEqualTo(ManagementCodec.argsHash(Map.of("a", 2L, "b", "x")));
    assertThat(ManagementCodec.arguments(Map.of(Symbol.valueOf("x-max-length"), 10)))
        .isEqualTo(Map.of("x-max-length", 10L));
  }

  private ManagementResponse call(String method, String target, Object body) {
    byte[] request =
        ManagementCodec.encodeRequest(new ManagementRequest("id", method, target, "$me", body));
    ManagementRequest decoded = ManagementCodec.decodeRequest(request, request.length);
    ManagementResponse r = node.handle(decoded, "/", "conn-1");
    byte[] response = ManagementCodec.encodeResponse(decoded.messageId(), r);
    return ManagementCodec.decodeResponse(response);
  }

  /** The topology methods over the maps; anything else is not expected here. */
  private MessagingService topology() {
    exchanges.put(
        "amq.direct",
        new ExchangeSpec("/", "amq.direct", ExchangeType.DIRECT, true, false, false, Map.of()));
    return (MessagingService)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {MessagingService.class},
            (proxy, method, a) ->
                switch (method.getName()) {
                  case "declareQueue" -> {
                    QueueSpec s = (QueueSpec) a[0];
                    QueueSpec old = queues.get(s.name());
                    if (old != null && !old.equals(s)) {
                      yield Result.fail(Status.CONFLICT, "inequivalent arg 'durable'");
                    }
                    queues.put(s.name(), s);
                    yield Result.ok(new Declared<>(info(s), old == null));
                  }
                  case "queue" -> {
                    QueueSpec s = queues.get((String) a[1]);
                    yield s == null ? Result.fail(Status.NOT_FOUND, null) : Result.ok(info(s));
                  }
                  case "purgeQueue" -> Result.ok(7L);
                  case "deleteQueue" -> {
                    queues.remove((String) a[1]);
                    yield Result.ok(7L);
                  }
                  case "declareExchange" -> {
                    ExchangeSpec s = (ExchangeSpec) a[0];
                    ExchangeSpec old = exchanges.get(s.name());
                    if (old != null && !old.equals(s)) {
                      yield Result.fail(Status.CONFLICT, "inequivalent arg 'type'");
                    }
                    exchanges.put(s.name(), s);
                    yield Result.ok(new Declared<>(s, old == null));
                  }
                  case "exchange" -> {
                    ExchangeSpec s = exchanges.get((String) a[1]);
                    yield s == null ? Result.fail(Status.NOT_FOUND, null) : Result.ok(s);
                  }
                  case "deleteExchange" -> {
                    exchanges.remove((String) a[1]);
                    yield Result.ok(null);
                  }
                  case "bind" -> {
                    bindings.add((BindingSpec) a[0]);
                    yield Result.ok(null);
                  }
                  case "unbind" -> {
                    bindings.remove((BindingSpec) a[0]);
                    yield Result.ok(null);
                  }
                  case "bindings" ->
                      Result.ok(
                          bindings.stream()
                              .filter(
                                  b ->
                                      b.source().equals(a[1])
                                          && b.destination().equals(a[2])
                                          && b.destinationIsQueue() == (Boolean) a[3]
                                          && b.bindingKey().equals(a[4]))
                              .toList());
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  private static QueueInfo info(QueueSpec s) {
    return new QueueInfo(s, DestinationNames.topic(s.vhost(), s.name()), 0, 0);
  }
}
