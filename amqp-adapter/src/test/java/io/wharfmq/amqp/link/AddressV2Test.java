package io.wharfmq.amqp.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.amqp.management.PercentEncoding;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AddressV2Test {

  @Test
  void parsesTheThreeForms() {
    assertThat(AddressV2.parse("/exchanges/amq.direct/my-routing_key%2F123"))
        .isEqualTo(new AddressV2.ExchangeAddress("amq.direct", "my-routing_key/123"));
    assertThat(AddressV2.parse("/exchanges/logs"))
        .isEqualTo(new AddressV2.ExchangeAddress("logs", ""));
    assertThat(AddressV2.parse("/exchanges/logs/"))
        .isEqualTo(new AddressV2.ExchangeAddress("logs", ""));
    assertThat(AddressV2.parse("/queues/%F0%9F%8E%88"))
        .isEqualTo(new AddressV2.QueueAddress("\uD83C\uDF88"));
    assertThat(AddressV2.parse("/queues/a%20b")).isEqualTo(new AddressV2.QueueAddress("a b"));
  }

  /** RabbitMQ's bad_v2_addresses() that are v2 by their prefix (amqp_address_SUITE). */
  @Test
  void refusesMalformedV2Addresses() {
    for (String bad :
        List.of(
            "/queues",
            "/queues/",
            "/exchanges",
            "/exchanges/",
            "/exchanges//",
            "/exchanges//mykey",
            "/exchanges/amq.default",
            "/exchanges/amq.default/",
            "/exchanges/amq.default/mykey",
            "/queues/missing%encoding",
            "/queues/missing/encoding",
            "/queues/\u270B",
            "/exchanges/missing%encoding",
            "/exchanges/missing/encoding/routingkey",
            "/exchanges/exchange/missing%encoding",
            "/exchanges/\u270B",
            "/queues/%C3%28")) {
      assertThat(AddressV2.isV2(bad)).as(bad).isTrue();
      assertThatThrownBy(() -> AddressV2.parse(bad))
          .as(bad)
          .isInstanceOf(AddressV2.BadAddress.class);
    }
  }

  @Test
  void plainNamesStayIssue12Names() {
    for (String plain : List.of("myqueue", "/topic/mytopic", "/queue", "/exchange/x", "/q")) {
      assertThat(AddressV2.isV2(plain)).as(plain).isFalse();
      assertThat(Terminus.name(plain)).isEqualTo(plain);
    }
    assertThat(AddressV2.isV2(null)).isFalse();
    assertThat(Terminus.name("/queues/orders%2Fin")).isEqualTo("orders/in");
  }

  @Test
  void encodesAllButUnreservedCharacters() {
    assertThat(PercentEncoding.encode("my-routing_key/123~.x y"))
        .isEqualTo("my-routing_key%2F123~.x%20y");
    String name = "caf\u00e9/\uD83C\uDF88;%";
    assertThat(AddressV2.queueAddress(name)).isEqualTo("/queues/caf%C3%A9%2F%F0%9F%8E%88%3B%25");
    assertThat(AddressV2.parse(AddressV2.queueAddress(name)))
        .isEqualTo(new AddressV2.QueueAddress(name));
  }
}
