package io.wharfmq.broker.processor;

import io.wharfmq.broker.filter.SqlFilter;
import io.wharfmq.store.MessageFilter;
import java.util.ArrayList;
import java.util.List;

/** Tag expressions ("*", "TagA || TagB") as store filters. Stateless. */
public final class TagFilters {
  private TagFilters() {}

  public static MessageFilter parse(String expression) {
    if (expression == null || expression.isBlank() || "*".equals(expression.trim())) {
      return MessageFilter.ALL;
    }
    List<String> tags = new ArrayList<>();
    for (String t : expression.split("\\|\\|")) {
      String tag = t.trim();
      if (!tag.isEmpty()) {
        tags.add(tag);
      }
    }
    return tags.isEmpty() || tags.contains("*") ? MessageFilter.ALL : MessageFilter.byTags(tags);
  }

  /**
   * RocketMQ's refusal of a subscription that is not by TAG while enablePropertyFilter is off (the
   * remark of the SYSTEM_ERROR answer), or null when the subscription may be served.
   */
  public static String propertyFilterRefusal(String expressionType, boolean enablePropertyFilter) {
    boolean tag =
        expressionType == null
            || expressionType.isBlank()
            || "TAG".equalsIgnoreCase(expressionType);
    if (tag || enablePropertyFilter) {
      return null;
    }
    return "The broker does not support consumer to filter message by "
        + expressionType
        + " (enablePropertyFilter=false)";
  }

  /**
   * The filter for a subscription: TAG expressions ("*", "A || B") or SQL92 property selectors.
   * Throws IllegalArgumentException for an unknown type or an expression that does not parse.
   */
  public static MessageFilter forExpression(String expressionType, String expression) {
    if (expressionType == null
        || expressionType.isBlank()
        || "TAG".equalsIgnoreCase(expressionType)) {
      return parse(expression);
    }
    if ("SQL92".equalsIgnoreCase(expressionType)) {
      return SqlFilter.parse(expression);
    }
    throw new IllegalArgumentException(
        "expression type " + expressionType + " is not supported; use TAG or SQL92");
  }
}
