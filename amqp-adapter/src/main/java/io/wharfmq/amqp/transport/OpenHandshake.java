package io.wharfmq.amqp.transport;

import io.wharfmq.service.DestinationNames;
import java.util.HashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.transport.AmqpError;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Connection;

/**
 * Wharf's answer to a peer's open frame: the vhost from the hostname ({@code vhost:NAME}, else "/";
 * whether it exists is the connection's question to the service), the capabilities Qpid JMS looks
 * for, connection properties, and the refusals an open can get (docs/amqp.md). Stateless.
 */
final class OpenHandshake {
  private OpenHandshake() {}

  static final Symbol SOLE_CONNECTION = Symbol.valueOf("sole-connection-for-container");
  static final Symbol ANONYMOUS_RELAY = Symbol.valueOf("ANONYMOUS-RELAY");
  static final Symbol DELAYED_DELIVERY = Symbol.valueOf("DELAYED_DELIVERY");
  static final Symbol SHARED_SUBS = Symbol.valueOf("SHARED-SUBS");
  static final Symbol LINK_PAIR = Symbol.valueOf("LINK_PAIR_V1_0");
  static final Symbol[] OFFERED = {
    ANONYMOUS_RELAY, DELAYED_DELIVERY, SHARED_SUBS, SOLE_CONNECTION, LINK_PAIR
  };

  /**
   * The RabbitMQ AMQP 1.0 interface level Wharf serves (address v2, the /management node). It leads
   * the {@code version} property, with Wharf's own version as semver build metadata, because
   * RabbitMQ's Java client refuses a broker whose version is below 4.0 (docs/rabbitmq.md); the
   * {@code product} stays "Wharf".
   */
  static final String RABBITMQ_LEVEL = "4.0.0";

  static final Symbol CONNECTION_ESTABLISHMENT_FAILED =
      Symbol.valueOf("amqp:connection-establishment-failed");
  static final Symbol INVALID_FIELD = Symbol.valueOf("invalid-field");
  static final Symbol CONTAINER_ID = Symbol.valueOf("container-id");
  static final Symbol HOSTNAME = Symbol.valueOf("hostname");

  static final String DEFAULT_VHOST = DestinationNames.DEFAULT_VHOST;
  static final String VHOST_PREFIX = "vhost:";

  /**
   * The vhost named by an open hostname; null when the name is not a legal vhost ({@link
   * DestinationNames#vhostProblem}). Any hostname that does not start with "vhost:" (a client's DNS
   * name of the broker, or none) means the default, as RabbitMQ does.
   */
  static String vhost(String hostname) {
    if (hostname == null || !hostname.startsWith(VHOST_PREFIX)) {
      return DEFAULT_VHOST;
    }
    String name = hostname.substring(VHOST_PREFIX.length());
    return DestinationNames.vhostProblem(name) == null ? name : null;
  }

  /** Whether the peer desires sole-connection-for-container. */
  static boolean desiresSole(Connection c) {
    Symbol[] desired = c.getRemoteDesiredCapabilities();
    if (desired == null) {
      return false;
    }
    for (Symbol s : desired) {
      if (SOLE_CONNECTION.equals(s)) {
        return true;
      }
    }
    return false;
  }

  /** Sets Wharf's side of the open: container-id, capabilities, properties. */
  static void accept(Connection c, String containerId) {
    c.setContainer(containerId);
    c.setOfferedCapabilities(OFFERED);
    Map<Symbol, Object> props = new HashMap<>();
    props.put(Symbol.valueOf("product"), "Wharf");
    props.put(Symbol.valueOf("version"), RABBITMQ_LEVEL + "+wharf." + AmqpListener.VERSION);
    props.put(Symbol.valueOf("wharf-version"), AmqpListener.VERSION);
    props.put(Symbol.valueOf("node"), containerId);
    props.put(
        Symbol.valueOf("platform"),
        "Java " + System.getProperty("java.version") + " " + System.getProperty("os.name"));
    c.setProperties(props);
  }

  /**
   * Opens and at once closes with the ClientID clash Qpid JMS turns into InvalidClientIDException:
   * connection-establishment-failed in the open's properties, then close with invalid-field naming
   * container-id.
   */
  static void refuseContainerId(Connection c, String containerId, String ourId) {
    c.setContainer(ourId);
    Map<Symbol, Object> props = new HashMap<>();
    props.put(CONNECTION_ESTABLISHMENT_FAILED, true);
    c.setProperties(props);
    ErrorCondition e =
        new ErrorCondition(
            AmqpError.INVALID_FIELD,
            "container-id (ClientID) '"
                + containerId
                + "' is already in use by another connection and sole-connection-for-container"
                + " was asked");
    e.setInfo(Map.of(INVALID_FIELD, CONTAINER_ID));
    c.setCondition(e);
    c.open();
    c.close();
  }

  /** Opens and at once closes with {@code condition}, as a refused open does (section 2.4.5). */
  static void refuse(Connection c, String ourId, ErrorCondition condition) {
    c.setContainer(ourId);
    Map<Symbol, Object> props = new HashMap<>();
    props.put(CONNECTION_ESTABLISHMENT_FAILED, true);
    c.setProperties(props);
    c.setCondition(condition);
    c.open();
    c.close();
  }
}
