package io.wharfmq.broker.filter;

import io.wharfmq.service.message.SelectorProperties;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.StoredMessage;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.selector.filter.BooleanExpression;
import org.apache.activemq.artemis.selector.filter.FilterException;
import org.apache.activemq.artemis.selector.filter.Filterable;
import org.apache.activemq.artemis.selector.impl.SelectorParser;

/**
 * SQL92 property filters (RocketMQ's expression type SQL92), evaluated on the broker with the full
 * JMS message-selector grammar of ActiveMQ Artemis's selector engine: comparisons, arithmetic,
 * BETWEEN, IN, LIKE with ESCAPE, IS [NOT] NULL, AND/OR/NOT with three-valued logic (a selector that
 * evaluates to UNKNOWN does not match). JMS header identifiers (JMSPriority, JMSMessageID, JMSType,
 * ...) read the reserved properties, and application properties an AMQP or JMS producer typed are
 * compared as their type ({@link SelectorProperties}). Other properties are strings in the record;
 * a value that reads as a whole number is compared as a long, one that reads as a decimal as a
 * double, "true"/"false" as a boolean, anything else as a string, so {@code a > 5} works on {@code
 * a=10}. Immutable; thread-safe. Parsed selectors are cached.
 */
public final class SqlFilter implements MessageFilter {
  private static final Map<String, BooleanExpression> CACHE = new ConcurrentHashMap<>();

  private final String expression;
  private final BooleanExpression selector;

  private SqlFilter(String expression, BooleanExpression selector) {
    this.expression = expression;
    this.selector = selector;
  }

  /** Parses a selector; throws IllegalArgumentException with the parser's reason. */
  public static SqlFilter parse(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("empty SQL92 expression");
    }
    BooleanExpression parsed = CACHE.get(expression);
    if (parsed == null) {
      try {
        parsed = SelectorParser.parse(expression);
      } catch (FilterException | RuntimeException e) {
        throw new IllegalArgumentException(
            "cannot parse SQL92 expression '" + expression + "': " + e.getMessage(), e);
      }
      if (CACHE.size() < 10_000) {
        CACHE.put(expression, parsed);
      }
    }
    return new SqlFilter(expression, parsed);
  }

  public String expression() {
    return expression;
  }

  @Override
  public boolean matchesTagsCode(long tagsCode) {
    return true; // properties are only in the record
  }

  @Override
  public boolean matchesRecord(ByteBuffer record) {
    return matches(MessageProperties.decode(StoredMessage.properties(record, 0)));
  }

  /** Whether a message with these properties matches. */
  public boolean matches(Map<String, String> properties) {
    try {
      return selector.matches(new PropertyView(properties));
    } catch (FilterException | RuntimeException e) {
      return false; // a type error in evaluation is UNKNOWN, which does not match
    }
  }

  /** Message properties as the selector engine sees them (docs/mapping.md, "Selectors"). */
  private static final class PropertyView implements Filterable {
    private final SelectorProperties properties;

    PropertyView(Map<String, String> properties) {
      this.properties = new SelectorProperties(properties);
    }

    @Override
    public <T> T getBodyAs(Class<T> type) {
      return null;
    }

    @Override
    public Object getProperty(SimpleString name) {
      return properties.get(name.toString());
    }

    @Override
    public Object getLocalConnectionId() {
      return null;
    }
  }
}
