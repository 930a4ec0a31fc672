package io.wharfmq.security;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One permission of a user: the resources it names, the actions, allow or deny, and optionally the
 * source addresses it applies from (empty: from anywhere). Immutable.
 */
public record Policy(
    ResourcePattern resource, Set<Action> actions, Decision decision, List<SourceRange> sources) {
  public Policy {
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("a permission needs at least one action");
    }
    actions = Set.copyOf(EnumSet.copyOf(actions));
    sources = List.copyOf(sources);
  }

  /** A permission from its text parts, as the admin tools take them. */
  public static Policy parse(String resource, String actions, String decision, List<String> from) {
    return new Policy(
        ResourcePattern.parse(resource),
        Action.parseList(actions),
        Decision.parse(decision),
        from.stream().map(SourceRange::parse).toList());
  }

  /** Whether this permission speaks about {@code action} on {@code r} from {@code from}. */
  public boolean applies(Resource r, Action action, InetAddress from) {
    if (!actions.contains(action) || !resource.matches(r)) {
      return false;
    }
    if (sources.isEmpty()) {
      return true;
    }
    if (from == null) {
      return false;
    }
    for (SourceRange s : sources) {
      if (s.contains(from)) {
        return true;
      }
    }
    return false;
  }

  /** "Allow Pub,Sub on Topic:orders* from 10.0.0.0/8". */
  @Override
  public String toString() {
    return decision.display()
        + ' '
        + actions.stream().sorted().map(Action::display).collect(Collectors.joining(","))
        + " on "
        + resource
        + (sources.isEmpty() ? "" : " from " + sources);
  }
}
