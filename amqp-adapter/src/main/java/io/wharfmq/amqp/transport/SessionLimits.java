package io.wharfmq.amqp.transport;

import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Session;

/**
 * The sessions a peer has begun on one connection and the links it has attached on each, against
 * amqpMaxSessionsPerConnection and amqpMaxLinksPerSession. A link counts from its attach until the
 * peer detaches it (its handle is the peer's to reuse only then). Owned by the connection's thread.
 */
final class SessionLimits {
  private final int maxSessions;
  private final int maxLinks;
  private final Map<Session, Set<Link>> sessions = new IdentityHashMap<>();

  SessionLimits(AmqpConfig config) {
    this.maxSessions = config.amqpMaxSessionsPerConnection();
    this.maxLinks = config.amqpMaxLinksPerSession();
  }

  /** Counts a begun session; false when the connection has its maximum already. */
  boolean admit(Session s) {
    if (sessions.size() >= maxSessions) {
      return false;
    }
    sessions.put(s, new LinkedHashSet<>());
    return true;
  }

  boolean admitted(Session s) {
    return sessions.containsKey(s);
  }

  /** Counts an attached link; false when its session has its maximum already. */
  boolean admit(Link l) {
    Set<Link> links = sessions.get(l.getSession());
    if (links == null || links.size() >= maxLinks) {
      return false;
    }
    links.add(l);
    return true;
  }

  void release(Link l) {
    Set<Link> links = sessions.get(l.getSession());
    if (links != null) {
      links.remove(l);
    }
  }

  /** Forgets an ended session; returns the links it still had. */
  List<Link> release(Session s) {
    Set<Link> links = sessions.remove(s);
    return links == null ? List.of() : List.copyOf(links);
  }
}
