package io.wharfmq.remoting.protocol.body;

import java.util.List;

/**
 * One subject's permissions as RocketMQ 5's ACL 2.0 requests carry them (AUTH_CREATE_ACL,
 * AUTH_UPDATE_ACL bodies; AUTH_GET_ACL, AUTH_LIST_ACL answers): {@code {"subject":"User:alice",
 * "policies":[{"policyType":"Custom","entries":[{"resource":"Topic:orders","actions":["Pub"],
 * "sourceIps":["10.0.0.0/8"],"decision":"Allow"}]}]}}.
 */
public record AclInfo(String subject, List<PolicyInfo> policies) {
  /** A group of entries; RocketMQ's types are "Custom" (what the tools write) and "Default". */
  public record PolicyInfo(String policyType, List<PolicyEntryInfo> entries) {}

  /** One permission: a resource ("Topic:abc", "Group:g*", "*"), actions, sources, decision. */
  public record PolicyEntryInfo(
      String resource, List<String> actions, List<String> sourceIps, String decision) {}
}
