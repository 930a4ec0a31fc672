package io.wharfmq.security;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * RocketMQ 4's ACL 1.0 {@code plain_acl.yml} read as Wharf users: each account becomes a user
 * (accessKey and secretKey its name and password, {@code admin: true} a super user), {@code
 * defaultTopicPerm}/{@code defaultGroupPerm} permissions on {@code Topic:*}/{@code Group:*}, each
 * {@code topicPerms}/{@code groupPerms} entry a permission on that literal name ({@code DENY} a
 * deny of Pub and Sub, {@code PUB|SUB} an allow of those), {@code whiteRemoteAddress} the sources
 * of every permission. {@code globalWhiteRemoteAddresses} let RocketMQ clients in unsigned; Wharf
 * never does, so they are returned for a warning and otherwise ignored. Stateless.
 */
public final class PlainAclFile {
  /** The users, and the global white addresses that were not imported. */
  public record Imported(List<UserRecord> users, List<String> ignoredGlobalWhiteAddresses) {}

  private PlainAclFile() {}

  /** IllegalArgumentException names the bad place ("accounts[1].topicPerms[0]: ..."). */
  public static Imported read(String yaml, SecretSealer sealer, SecureRandom random) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new IllegalArgumentException("not YAML: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> top)) {
      throw new IllegalArgumentException("the file must hold a mapping with 'accounts'");
    }
    List<String> global =
        strings(top.get("globalWhiteRemoteAddresses"), "globalWhiteRemoteAddresses");
    Object accounts = top.get("accounts");
    if (!(accounts instanceof List<?> list)) {
      throw new IllegalArgumentException("accounts: missing or not a list");
    }
    List<UserRecord> users = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      try {
        if (!(list.get(i) instanceof Map<?, ?> a)) {
          throw new IllegalArgumentException(": not a mapping");
        }
        users.add(account(a, sealer, random));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("accounts[" + i + "]" + e.getMessage());
      }
    }
    return new Imported(users, global);
  }

  private static UserRecord account(Map<?, ?> a, SecretSealer sealer, SecureRandom random) {
    String key = text(a, "accessKey");
    String secret = text(a, "secretKey");
    if (key == null || secret == null) {
      throw new IllegalArgumentException(": accessKey and secretKey are required");
    }
    List<String> sources = new ArrayList<>();
    String white = text(a, "whiteRemoteAddress");
    if (white != null && !white.isBlank()) {
      for (String s : white.split(",")) {
        sources.add(s.trim());
      }
    }
    List<Policy> policies = new ArrayList<>();
    try {
      addPerm(policies, "Topic:*", text(a, "defaultTopicPerm"), sources);
      addPerm(policies, "Group:*", text(a, "defaultGroupPerm"), sources);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(" (" + key + "): " + e.getMessage());
    }
    perms(policies, a, "topicPerms", "Topic:", sources, key);
    perms(policies, a, "groupPerms", "Group:", sources, key);
    boolean admin = Boolean.parseBoolean(String.valueOf(a.get("admin")));
    try {
      return UserRecord.create(key, secret, admin, sealer, random).withPolicies(policies);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(" (" + key + "): " + e.getMessage());
    }
  }

  private static void perms(
      List<Policy> out, Map<?, ?> a, String field, String type, List<String> src, String key) {
    List<String> entries = strings(a.get(field), field);
    for (int j = 0; j < entries.size(); j++) {
      String e = entries.get(j);
      int eq = e.indexOf('=');
      try {
        if (eq <= 0) {
          throw new IllegalArgumentException("'" + e + "' must be NAME=PERM");
        }
        addPerm(out, type + e.substring(0, eq).trim(), e.substring(eq + 1), src);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            " (" + key + ")." + field + "[" + j + "]: " + ex.getMessage());
      }
    }
  }

  private static void addPerm(List<Policy> out, String resource, String perm, List<String> src) {
    if (perm == null || perm.isBlank()) {
      return;
    }
    String p = perm.trim().toUpperCase(java.util.Locale.ROOT);
    switch (p) {
      case "DENY" -> out.add(Policy.parse(resource, "Pub,Sub", "Deny", src));
      case "PUB", "SUB", "PUB|SUB", "SUB|PUB" -> out.add(Policy.parse(resource, p, "Allow", src));
      default ->
          throw new IllegalArgumentException(
              "permission '" + perm + "' must be DENY, PUB, SUB or PUB|SUB");
    }
  }

  private static String text(Map<?, ?> m, String field) {
    Object v = m.get(field);
    return v == null ? null : String.valueOf(v);
  }

  private static List<String> strings(Object v, String field) {
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException(field + ": not a list");
    }
    return l.stream().filter(x -> x != null).map(String::valueOf).toList();
  }
}
