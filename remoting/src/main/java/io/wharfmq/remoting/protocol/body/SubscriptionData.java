package io.wharfmq.remoting.protocol.body;

import java.util.Set;

/** One subscription of a consumer group (RocketMQ SubscriptionData). subString "*" means all. */
public record SubscriptionData(
    String topic,
    String subString,
    Set<String> tagsSet,
    Set<Integer> codeSet,
    long subVersion,
    String expressionType,
    boolean classFilterMode) {

  public static final String SUB_ALL = "*";

  public boolean isAll() {
    return subString == null || subString.isBlank() || SUB_ALL.equals(subString.trim());
  }
}
