package io.wharfmq.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a user does to a resource. RocketMQ 5's ACL 2.0 names (Pub, Sub, Create, Update, Delete,
 * Get, List, All) are read too: Update is {@link #CREATE}, Get and List are {@link #ADMIN}.
 */
public enum Action {
  /** Send messages to a topic, queue or exchange. */
  PUB,
  /** Receive messages: read a topic or queue, consume as a group. */
  SUB,
  /** Create or change a topic, group, queue, exchange or binding. */
  CREATE,
  /** Delete one. */
  DELETE,
  /** Administer: broker configuration, offsets, users and permissions, statistics. */
  ADMIN;

  /** Every action, for "All". */
  public static final Set<Action> ALL = EnumSet.allOf(Action.class);

  /** The actions named by {@code text} ("Pub", "publish", "All", ...), or an explanation. */
  public static Set<Action> parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    return switch (t) {
      case "pub", "publish" -> EnumSet.of(PUB);
      case "sub", "subscribe" -> EnumSet.of(SUB);
      case "create", "update" -> EnumSet.of(CREATE);
      case "delete" -> EnumSet.of(DELETE);
      case "admin", "get", "list" -> EnumSet.of(ADMIN);
      case "all", "*" -> EnumSet.copyOf(ALL);
      default ->
          throw new IllegalArgumentException(
              "unknown action '" + text + "': use Pub, Sub, Create, Delete, Admin or All");
    };
  }

  /** Several actions separated by ',' or '|'. */
  public static Set<Action> parseList(String text) {
    Set<Action> out = EnumSet.noneOf(Action.class);
    for (String part : text.split("[,|]")) {
      if (!part.isBlank()) {
        out.addAll(parse(part));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no action given");
    }
    return out;
  }

  /** The display name: "Pub", "Sub", ... */
  public String display() {
    String n = name();
    return n.charAt(0) + n.substring(1).toLowerCase(Locale.ROOT);
  }
}
