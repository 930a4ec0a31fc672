package io.wharfmq.security;

/**
 * Which resources a permission names, written {@code Type:NAME}: {@code Topic:orders} (that name),
 * {@code Topic:orders-*} (names starting with "orders-"), {@code Topic:*} (every topic), {@code *}
 * (every resource of every type). Queues and exchanges take their vhost after '@' ({@code
 * Queue:orders@shop}, {@code Queue:*@*}); without one they are in the default vhost "/". Immutable.
 *
 * @param type null for "every type"
 * @param name the name, or its prefix when {@code prefix}
 * @param vhost the vhost for queue and exchange patterns, "*" for any, "" for other types
 */
public record ResourcePattern(ResourceType type, String name, boolean prefix, String vhost) {
  /** Every resource. */
  public static final ResourcePattern ANY = new ResourcePattern(null, "", true, "*");

  public static ResourcePattern parse(String text) {
    String t = text.trim();
    if (t.equals("*")) {
      return ANY;
    }
    int colon = t.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "resource '"
              + text
              + "' must be Type:NAME (Topic:orders, Group:g-*, Queue:q@vhost) or *");
    }
    ResourceType type = ResourceType.parse(t.substring(0, colon));
    String rest = t.substring(colon + 1);
    String vhost = "";
    if (type.inVhost()) {
      int at = rest.lastIndexOf('@');
      vhost = at < 0 ? Resource.DEFAULT_VHOST : rest.substring(at + 1);
      rest = at < 0 ? rest : rest.substring(0, at);
      if (vhost.isEmpty()) {
        throw new IllegalArgumentException("resource '" + text + "' has an empty vhost after '@'");
      }
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("resource '" + text + "' has no name");
    }
    int star = rest.indexOf('*');
    if (star >= 0 && star != rest.length() - 1) {
      throw new IllegalArgumentException(
          "resource '" + text + "': '*' may only end a name (a prefix) or stand alone");
    }
    boolean prefix = star >= 0;
    return new ResourcePattern(type, prefix ? rest.substring(0, star) : rest, prefix, vhost);
  }

  public boolean matches(Resource r) {
    if (type == null) {
      return true;
    }
    if (type != r.type()) {
      return false;
    }
    if (type.inVhost() && !vhost.equals("*") && !vhost.equals(r.vhost())) {
      return false;
    }
    return prefix ? r.name().startsWith(name) : r.name().equals(name);
  }

  /**
   * How narrowly this pattern names its resources: an exact name beats any prefix, a longer prefix
   * a shorter one, a typed pattern "*".
   */
  public int specificity() {
    if (type == null) {
      return 0;
    }
    int v = type.inVhost() && !vhost.equals("*") ? 1 : 0;
    return prefix ? 2 + 2 * name.length() + v : Integer.MAX_VALUE - 1 + v;
  }

  @Override
  public String toString() {
    if (type == null) {
      return "*";
    }
    String n = prefix ? name + '*' : name;
    return type.display()
        + ':'
        + n
        + (type.inVhost() && !vhost.equals(Resource.DEFAULT_VHOST) ? "@" + vhost : "");
  }
}
