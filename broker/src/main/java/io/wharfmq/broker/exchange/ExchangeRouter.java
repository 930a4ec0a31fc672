package io.wharfmq.broker.exchange;

import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Routes a publish through an exchange as RabbitMQ does: the exchange's bindings by its type,
 * bindings to other exchanges followed (each exchange visited once, so cycles end), each queue
 * reached once, an exchange whose own bindings matched nothing hands the message to its {@code
 * alternate-exchange}; the default exchange routes to the queue its key names. Stateless;
 * thread-safe.
 */
public final class ExchangeRouter {
  /** The exchange argument naming where unroutable messages go. */
  public static final String ALTERNATE_EXCHANGE = "alternate-exchange";

  private ExchangeRouter() {}

  /** Why a binding from {@code source} cannot be made as asked, or null when it can. */
  public static String bindingProblem(ExchangeSpec source, BindingSpec binding) {
    return source.type() == ExchangeType.HEADERS ? HeadersMatch.problem(binding.arguments()) : null;
  }

  /**
   * Where a publish goes.
   *
   * @param status OK (queues may be empty: unroutable), NOT_FOUND (no such exchange or vhost) or
   *     FORBIDDEN (an internal exchange)
   * @param queues the names of the queues reached, each once, in routing order
   */
  public record Route(Status status, String detail, List<String> queues) {}

  /**
   * @param routingKeys the routing key, then the CC keys
   * @param appProperties the message's typed application properties (headers exchanges)
   * @param queueExists whether a queue of the vhost exists (the default exchange's targets, which
   *     may be queues made implicitly by an AMQP address)
   */
  public static Route route(
      Topology topology,
      String vhost,
      String exchange,
      List<String> routingKeys,
      Supplier<Map<String, Object>> appProperties,
      Predicate<String> queueExists) {
    ExchangeSpec first = topology.exchange(vhost, exchange);
    if (first == null) {
      return new Route(
          Status.NOT_FOUND, "no exchange '" + exchange + "' in vhost '" + vhost + "'", List.of());
    }
    if (first.internal()) {
      return new Route(
          Status.FORBIDDEN,
          "exchange '" + exchange + "' in vhost '" + vhost + "' is internal",
          List.of());
    }
    Topology.RouteKey cacheKey =
        hasNull(routingKeys) ? null : new Topology.RouteKey(vhost, exchange, routingKeys);
    Route cached = cacheKey == null ? null : topology.cachedRoute(cacheKey);
    if (cached != null) {
      return cached;
    }
    // Cached per topology version unless a headers exchange (the message's properties) or the
    // default exchange (queues made by AMQP addresses, outside the topology) took part.
    boolean cacheable = cacheKey != null;
    Supplier<Map<String, Object>> props = once(appProperties);
    LinkedHashSet<String> queues = new LinkedHashSet<>();
    Set<String> visited = new HashSet<>();
    Deque<ExchangeSpec> work = new ArrayDeque<>();
    work.add(first);
    visited.add(exchange);
    List<ExchangeRoutes.Destination> reached = new ArrayList<>();
    while (!work.isEmpty()) {
      ExchangeSpec x = work.poll();
      if (x.type() == ExchangeType.HEADERS) {
        cacheable = false;
      }
      if (x.name().equals(Topology.DEFAULT_EXCHANGE)) {
        cacheable = false;
        for (String k : routingKeys) {
          if (k != null && !k.isEmpty() && queueExists.test(k)) {
            queues.add(k);
          }
        }
        continue;
      }
      reached.clear();
      topology.routes(x).match(routingKeys, props, reached);
      if (reached.isEmpty()) {
        Object ae = x.arguments().get(ALTERNATE_EXCHANGE);
        if (ae instanceof String name) {
          follow(topology, vhost, name, visited, work);
        }
        continue;
      }
      for (ExchangeRoutes.Destination d : reached) {
        if (d.queue()) {
          queues.add(d.name());
        } else {
          follow(topology, vhost, d.name(), visited, work);
        }
      }
    }
    Route route = new Route(Status.OK, null, List.copyOf(queues));
    if (cacheable) {
      topology.cacheRoute(new Topology.RouteKey(vhost, exchange, List.copyOf(routingKeys)), route);
    }
    return route;
  }

  private static void follow(
      Topology topology, String vhost, String name, Set<String> visited, Deque<ExchangeSpec> work) {
    if (visited.add(name)) {
      ExchangeSpec next = topology.exchange(vhost, name);
      if (next != null) {
        work.add(next);
      }
    }
  }

  private static boolean hasNull(List<String> keys) {
    for (String k : keys) {
      if (k == null) {
        return true;
      }
    }
    return false;
  }

  private static Supplier<Map<String, Object>> once(Supplier<Map<String, Object>> s) {
    return new Supplier<>() {
      private Map<String, Object> value;

      @Override
      public Map<String, Object> get() {
        if (value == null) {
          value = s.get();
        }
        return value;
      }
    };
  }
}
