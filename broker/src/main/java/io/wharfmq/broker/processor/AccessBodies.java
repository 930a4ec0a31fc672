package io.wharfmq.broker.processor;

import io.wharfmq.remoting.protocol.body.AclInfo;
import io.wharfmq.remoting.protocol.body.UserInfo;
import io.wharfmq.security.Action;
import io.wharfmq.security.Policy;
import io.wharfmq.security.ResourcePattern;
import io.wharfmq.security.SourceRange;
import io.wharfmq.security.UserRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Translates between RocketMQ 5's ACL 2.0 bodies ({@link UserInfo}, {@link AclInfo}) and Wharf's
 * users and permissions. ACL 2.0 resources ({@code Topic:abc}, {@code Group:abc*}, {@code
 * Cluster:c}, {@code *}) are Wharf resource patterns as written; Wharf adds Queue, Exchange and
 * Vhost. ACL 2.0 actions Update, Get, List and Any are read as Create, Admin, Admin and All.
 * Stateless.
 */
public final class AccessBodies {
  /** The policy type Wharf answers with (the one RocketMQ's tools write). */
  public static final String POLICY_TYPE = "Custom";

  private static final String USER_PREFIX = "User:";

  private AccessBodies() {}

  /** "User:alice". */
  public static String subjectOf(String user) {
    return USER_PREFIX + user;
  }

  /** The user a subject names ("User:alice" -> "alice"); only users are subjects. */
  public static String userOfSubject(String subject) {
    if (subject == null || !subject.trim().startsWith(USER_PREFIX)) {
      throw new IllegalArgumentException(
          "the subject '" + subject + "' must be User:NAME (the only subject type)");
    }
    String name = subject.trim().substring(USER_PREFIX.length());
    UserRecord.checkName(name);
    return name;
  }

  /** The user as answered: never with its password. */
  public static UserInfo userInfo(UserRecord u) {
    return new UserInfo(
        u.name(), null, u.superUser() ? "Super" : "Normal", u.enabled() ? "enable" : "disable");
  }

  /** userType "Super" or "Normal"; absent keeps {@code dflt}. */
  public static boolean superUser(String userType, boolean dflt) {
    if (userType == null || userType.isBlank()) {
      return dflt;
    }
    return switch (userType.trim().toLowerCase(Locale.ROOT)) {
      case "super" -> true;
      case "normal" -> false;
      default ->
          throw new IllegalArgumentException(
              "unknown user type '" + userType + "': use Super or Normal");
    };
  }

  /** userStatus "enable" or "disable"; absent keeps {@code dflt}. */
  public static boolean enabled(String userStatus, boolean dflt) {
    if (userStatus == null || userStatus.isBlank()) {
      return dflt;
    }
    return switch (userStatus.trim().toLowerCase(Locale.ROOT)) {
      case "enable", "enabled" -> true;
      case "disable", "disabled" -> false;
      default ->
          throw new IllegalArgumentException(
              "unknown user status '" + userStatus + "': use enable or disable");
    };
  }

  /** Every entry of {@code info} as a Wharf permission; the first bad one is named. */
  public static List<Policy> policies(AclInfo info) {
    if (info.policies() == null || info.policies().isEmpty()) {
      throw new IllegalArgumentException("the ACL has no policies");
    }
    List<Policy> out = new ArrayList<>();
    for (AclInfo.PolicyInfo p : info.policies()) {
      if (p == null || p.entries() == null) {
        continue;
      }
      for (AclInfo.PolicyEntryInfo e : p.entries()) {
        try {
          out.add(policy(e));
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException(
              "entry for '" + e.resource() + "': " + ex.getMessage());
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("the ACL has no entries");
    }
    return out;
  }

  private static Policy policy(AclInfo.PolicyEntryInfo e) {
    if (e.resource() == null || e.resource().isBlank()) {
      throw new IllegalArgumentException("no resource");
    }
    if (e.actions() == null || e.actions().isEmpty()) {
      throw new IllegalArgumentException("no action");
    }
    List<String> actions =
        e.actions().stream().map(a -> a.trim().equalsIgnoreCase("any") ? "All" : a).toList();
    return Policy.parse(
        e.resource(),
        String.join(",", actions),
        e.decision() == null ? "" : e.decision(),
        e.sourceIps() == null ? List.of() : e.sourceIps());
  }

  /**
   * {@code old} with {@code given} put in: as in RocketMQ, an entry replaces the one for the same
   * resource.
   */
  public static List<Policy> merge(List<Policy> old, List<Policy> given) {
    List<Policy> out = new ArrayList<>();
    for (Policy p : old) {
      if (given.stream().noneMatch(g -> g.resource().equals(p.resource()))) {
        out.add(p);
      }
    }
    out.addAll(given);
    return out;
  }

  /** {@code old} without the entries for {@code resource}; blank: without any. */
  public static List<Policy> without(List<Policy> old, String resource) {
    if (resource == null || resource.isBlank()) {
      return List.of();
    }
    ResourcePattern r = ResourcePattern.parse(resource);
    return old.stream().filter(p -> !p.resource().equals(r)).toList();
  }

  /**
   * The user's permissions as one "Custom" policy, only the entries whose resource contains {@code
   * resourceFilter} when it is not blank; null when none is left.
   */
  public static AclInfo aclInfo(UserRecord u, String resourceFilter) {
    List<AclInfo.PolicyEntryInfo> entries = new ArrayList<>();
    for (Policy p : u.policies()) {
      String resource = p.resource().toString();
      if (resourceFilter != null
          && !resourceFilter.isBlank()
          && !resource.contains(resourceFilter.trim())) {
        continue;
      }
      entries.add(
          new AclInfo.PolicyEntryInfo(
              resource,
              p.actions().stream().sorted().map(Action::display).toList(),
              p.sources().stream().map(SourceRange::text).toList(),
              p.decision().display()));
    }
    if (entries.isEmpty()) {
      return null;
    }
    return new AclInfo(subjectOf(u.name()), List.of(new AclInfo.PolicyInfo(POLICY_TYPE, entries)));
  }
}
