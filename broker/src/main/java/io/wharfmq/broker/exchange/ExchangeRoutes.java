package io.wharfmq.broker.exchange;

import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The bindings of one exchange compiled for routing: a map by key for direct exchanges and for the
 * literal keys of topic exchanges, compiled patterns for the others, compiled header matches for
 * headers exchanges. Immutable; thread-safe.
 */
final class ExchangeRoutes {
  /** Where a binding leads: a queue or another exchange of the same vhost. */
  record Destination(String name, boolean queue) {}

  private record Pattern(TopicPattern pattern, Destination destination) {}

  private record Headers(HeadersMatch match, Destination destination) {}

  private final ExchangeType type;
  private final Map<String, List<Destination>> byKey;
  private final List<Destination> all;
  private final List<Pattern> patterns;
  private final List<Headers> headers;

  private ExchangeRoutes(
      ExchangeType type,
      Map<String, List<Destination>> byKey,
      List<Destination> all,
      List<Pattern> patterns,
      List<Headers> headers) {
    this.type = type;
    this.byKey = byKey;
    this.all = all;
    this.patterns = patterns;
    this.headers = headers;
  }

  static ExchangeRoutes compile(ExchangeSpec exchange, List<BindingSpec> bindings) {
    Map<String, List<Destination>> byKey = new HashMap<>();
    LinkedHashSet<Destination> all = new LinkedHashSet<>();
    List<Pattern> patterns = new ArrayList<>();
    List<Headers> headers = new ArrayList<>();
    for (BindingSpec b : bindings) {
      Destination d = new Destination(b.destination(), b.destinationIsQueue());
      String key = b.bindingKey() == null ? "" : b.bindingKey();
      switch (exchange.type()) {
        case DIRECT -> byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(d);
        case FANOUT -> all.add(d);
        case TOPIC -> {
          TopicPattern p = new TopicPattern(key);
          if (p.isLiteral()) {
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(d);
          } else {
            patterns.add(new Pattern(p, d));
          }
        }
        case HEADERS -> headers.add(new Headers(HeadersMatch.of(b.arguments()), d));
      }
    }
    return new ExchangeRoutes(exchange.type(), byKey, List.copyOf(all), patterns, headers);
  }

  /**
   * Adds the destinations the message reaches through this exchange's own bindings to {@code out}.
   *
   * @param routingKeys the routing key and any CC keys
   * @param appProperties the message's application properties (asked only by headers exchanges)
   */
  void match(
      List<String> routingKeys,
      Supplier<Map<String, Object>> appProperties,
      Collection<Destination> out) {
    switch (type) {
      case FANOUT -> out.addAll(all);
      case DIRECT -> {
        for (String k : routingKeys) {
          out.addAll(byKey.getOrDefault(k == null ? "" : k, List.of()));
        }
      }
      case TOPIC -> {
        for (String k : routingKeys) {
          String key = k == null ? "" : k;
          out.addAll(byKey.getOrDefault(key, List.of()));
          if (!patterns.isEmpty()) {
            String[] words = TopicPattern.words(key);
            boolean[] rowA = new boolean[words.length + 1];
            boolean[] rowB = new boolean[words.length + 1];
            for (Pattern p : patterns) {
              if (p.pattern().matches(words, rowA, rowB)) {
                out.add(p.destination());
              }
            }
          }
        }
      }
      case HEADERS -> {
        if (!headers.isEmpty()) {
          Map<String, Object> props = appProperties.get();
          for (Headers h : headers) {
            if (h.match().matches(props)) {
              out.add(h.destination());
            }
          }
        }
      }
    }
  }
}
