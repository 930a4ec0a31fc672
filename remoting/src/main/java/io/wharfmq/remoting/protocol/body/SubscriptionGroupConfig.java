package io.wharfmq.remoting.protocol.body;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;

/**
 * A consumer group's broker-side settings (RocketMQ SubscriptionGroupConfig), in the JSON shape
 * RocketMQ's admin tools send and parse. Fields a JSON body leaves out take RocketMQ's defaults.
 * {@code groupRetryPolicy} and {@code subscriptionDataSet} are kept and returned as given, not
 * interpreted (see docs/admin.md). Immutable.
 *
 * @param consumeEnable false: pulls of the group answer NO_PERMISSION
 * @param retryQueueNums queues of the group's retry topic; 0 drops failed messages on send-back
 * @param retryMaxTimes deliveries after which a failing message goes to %DLQ%group, unless the
 *     client sends its own maxReconsumeTimes (as every official push consumer does)
 */
public record SubscriptionGroupConfig(
    String groupName,
    boolean consumeEnable,
    boolean consumeFromMinEnable,
    boolean consumeBroadcastEnable,
    boolean consumeMessageOrderly,
    int retryQueueNums,
    int retryMaxTimes,
    JsonNode groupRetryPolicy,
    long brokerId,
    long whichBrokerWhenConsumeSlowly,
    boolean notifyConsumerIdsChangedEnable,
    int groupSysFlag,
    int consumeTimeoutMinute,
    JsonNode subscriptionDataSet,
    Map<String, String> attributes) {

  /** RocketMQ's default retryMaxTimes of a group. */
  public static final int DEFAULT_RETRY_MAX_TIMES = 16;

  /** A group with every default (RocketMQ's) and the given retryMaxTimes. */
  public static SubscriptionGroupConfig defaults(String groupName, int retryMaxTimes) {
    return of(
        groupName,
        null,
        null,
        null,
        null,
        null,
        retryMaxTimes,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** This config with another retryMaxTimes and attributes, every other setting kept. */
  public SubscriptionGroupConfig withRetryMaxTimesAndAttributes(
      int retryMaxTimes, Map<String, String> attributes) {
    return new SubscriptionGroupConfig(
        groupName,
        consumeEnable,
        consumeFromMinEnable,
        consumeBroadcastEnable,
        consumeMessageOrderly,
        retryQueueNums,
        retryMaxTimes,
        groupRetryPolicy,
        brokerId,
        whichBrokerWhenConsumeSlowly,
        notifyConsumerIdsChangedEnable,
        groupSysFlag,
        consumeTimeoutMinute,
        subscriptionDataSet,
        Map.copyOf(attributes));
  }

  /** Builds a config from JSON, defaulting what is missing as RocketMQ's class does. */
  @JsonCreator
  public static SubscriptionGroupConfig of(
      @JsonProperty("groupName") String groupName,
      @JsonProperty("consumeEnable") Boolean consumeEnable,
      @JsonProperty("consumeFromMinEnable") Boolean consumeFromMinEnable,
      @JsonProperty("consumeBroadcastEnable") Boolean consumeBroadcastEnable,
      @JsonProperty("consumeMessageOrderly") Boolean consumeMessageOrderly,
      @JsonProperty("retryQueueNums") Integer retryQueueNums,
      @JsonProperty("retryMaxTimes") Integer retryMaxTimes,
      @JsonProperty("groupRetryPolicy") JsonNode groupRetryPolicy,
      @JsonProperty("brokerId") Long brokerId,
      @JsonProperty("whichBrokerWhenConsumeSlowly") Long whichBrokerWhenConsumeSlowly,
      @JsonProperty("notifyConsumerIdsChangedEnable") Boolean notifyConsumerIdsChangedEnable,
      @JsonProperty("groupSysFlag") Integer groupSysFlag,
      @JsonProperty("consumeTimeoutMinute") Integer consumeTimeoutMinute,
      @JsonProperty("subscriptionDataSet") JsonNode subscriptionDataSet,
      @JsonProperty("attributes") Map<String, String> attributes) {
    return new SubscriptionGroupConfig(
        groupName,
        consumeEnable == null || consumeEnable,
        consumeFromMinEnable == null || consumeFromMinEnable,
        consumeBroadcastEnable == null || consumeBroadcastEnable,
        consumeMessageOrderly != null && consumeMessageOrderly,
        retryQueueNums == null ? 1 : retryQueueNums,
        retryMaxTimes == null ? DEFAULT_RETRY_MAX_TIMES : retryMaxTimes,
        groupRetryPolicy == null || groupRetryPolicy.isNull()
            ? JsonNodeFactory.instance.objectNode().put("type", "CUSTOMIZED")
            : groupRetryPolicy,
        brokerId == null ? 0 : brokerId,
        whichBrokerWhenConsumeSlowly == null ? 1 : whichBrokerWhenConsumeSlowly,
        notifyConsumerIdsChangedEnable == null || notifyConsumerIdsChangedEnable,
        groupSysFlag == null ? 0 : groupSysFlag,
        consumeTimeoutMinute == null ? 15 : consumeTimeoutMinute,
        subscriptionDataSet == null || subscriptionDataSet.isNull() ? null : subscriptionDataSet,
        attributes == null ? Map.of() : Map.copyOf(attributes));
  }

  /** Why this config cannot be stored, or null when it can. */
  public String problem() {
    if (groupName == null || !groupName.matches("[%|a-zA-Z0-9_-]{1,255}")) {
      return "group name '"
          + groupName
          + "' must be 1-255 characters of letters, digits, '%', '|', '_' and '-'";
    }
    if (retryQueueNums < 0 || retryQueueNums > 1024) {
      return "retryQueueNums must be 0..1024, is " + retryQueueNums;
    }
    if (retryMaxTimes < -1) {
      return "retryMaxTimes must be >= -1, is " + retryMaxTimes;
    }
    return null;
  }
}
