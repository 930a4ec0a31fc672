package io.wharfmq.security;

/** What a matching permission says. */
public enum Decision {
  ALLOW,
  DENY;

  public static Decision parse(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "allow" -> ALLOW;
      case "deny" -> DENY;
      default ->
          throw new IllegalArgumentException("unknown decision '" + text + "': use Allow or Deny");
    };
  }

  public String display() {
    return this == ALLOW ? "Allow" : "Deny";
  }
}
