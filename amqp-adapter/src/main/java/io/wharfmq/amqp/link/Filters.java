package io.wharfmq.amqp.link;

import io.wharfmq.service.FilterType;
import io.wharfmq.service.message.ReservedProperties;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.DescribedType;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedLong;

/**
 * The source filters Wharf evaluates: the JMS selector ({@code apache.org:selector-filter:string},
 * descriptor 0x0000468C00000004) becomes a SQL92 expression; no-local ({@code
 * apache.org:no-local-filter:list}, 0x0000468C00000003) adds a clause that skips messages this
 * connection published. Matched by descriptor (ulong or symbol), never by map key, since clients
 * use different keys. Unknown filters are not echoed in the attach reply, which tells the peer they
 * are not applied. Immutable.
 *
 * @param accepted the filters to echo in the attach reply
 */
record Filters(String selector, boolean noLocal, Map<Symbol, Object> accepted) {
  static final UnsignedLong SELECTOR_CODE = UnsignedLong.valueOf(0x0000468C00000004L);
  static final Symbol SELECTOR_NAME = Symbol.valueOf("apache.org:selector-filter:string");
  static final UnsignedLong NO_LOCAL_CODE = UnsignedLong.valueOf(0x0000468C00000003L);
  static final Symbol NO_LOCAL_NAME = Symbol.valueOf("apache.org:no-local-filter:list");

  static Filters of(Map<?, ?> filter) {
    String selector = null;
    boolean noLocal = false;
    Map<Symbol, Object> accepted = new LinkedHashMap<>();
    if (filter != null) {
      for (Map.Entry<?, ?> e : filter.entrySet()) {
        if (!(e.getKey() instanceof Symbol key)) {
          continue;
        }
        if (!(e.getValue() instanceof DescribedType d)) {
          continue;
        }
        Object code = d.getDescriptor();
        if (SELECTOR_CODE.equals(code) || SELECTOR_NAME.equals(code)) {
          String text = d.getDescribed() == null ? "" : d.getDescribed().toString().trim();
          if (!text.isEmpty()) {
            selector = text;
          }
          accepted.put(key, d);
        } else if (NO_LOCAL_CODE.equals(code) || NO_LOCAL_NAME.equals(code)) {
          noLocal = true;
          accepted.put(key, d);
        }
      }
    }
    return new Filters(selector, noLocal, accepted);
  }

  FilterType type() {
    return selector == null && !noLocal ? FilterType.TAG : FilterType.SQL92;
  }

  /** The expression for a consumer on {@code connectionId}: "*" when nothing filters. */
  String expression(String connectionId) {
    if (selector == null && !noLocal) {
      return "*";
    }
    String local =
        noLocal
            ? "("
                + ReservedProperties.PUBLISHER_CONNECTION
                + " IS NULL OR "
                + ReservedProperties.PUBLISHER_CONNECTION
                + " <> '"
                + connectionId.replace("'", "''")
                + "')"
            : null;
    if (selector == null) {
      return local;
    }
    return local == null ? selector : "(" + selector + ") AND " + local;
  }
}
