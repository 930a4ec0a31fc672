package io.wharfmq.broker.processor;

import io.wharfmq.remoting.protocol.body.SubscriptionData;
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

  public static MessageFilter of(SubscriptionData sub) {
    if (sub.isAll()) {
      return MessageFilter.ALL;
    }
    if (sub.tagsSet() != null && !sub.tagsSet().isEmpty()) {
      return MessageFilter.byTags(sub.tagsSet());
    }
    return parse(sub.subString());
  }
}
