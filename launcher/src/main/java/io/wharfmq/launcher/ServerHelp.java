package io.wharfmq.launcher;

import io.wharfmq.amqp.transport.AmqpConfig;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.namesrv.NamesrvConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The "configuration keys" section of the server commands' {@code --help}, built by {@link KeyHelp}
 * from fresh configuration objects, so it lists exactly what {@code --set} accepts with the
 * defaults the code has. Stateless.
 */
final class ServerHelp {
  private ServerHelp() {}

  static final String HEADER =
      "\nConfiguration keys (in the --config file or as --set key=value), key=default:\n";

  static final String OTHER_KEYS =
      "Other keys of Apache RocketMQ's configuration files are accepted with one\n"
          + "startup warning that lists them: they have no effect in Wharf\n"
          + "(docs/configuration.md).\n";

  static String standalone() {
    BrokerConfig broker = new BrokerConfig(Path.of("./data"));
    List<KeyHelp.Key> launcher = new ArrayList<>();
    launcher.add(
        new KeyHelp.Key(
            "namesrvPort",
            "9876",
            "Port of the name server (standalone only). listenPort is the broker's port."));
    Map<String, KeyHelp.Key> brokerKeys = KeyHelp.keys(broker);
    brokerKeys.computeIfPresent(
        "namesrvAddr",
        (k, v) ->
            new KeyHelp.Key(
                k, "127.0.0.1:<namesrvPort>", "Name servers; standalone's own by default."));
    note(brokerKeys, "listenPort", "The broker's port; the name server's is namesrvPort.");
    return KeyHelp.forPicocli(
        HEADER
            + KeyHelp.render("Standalone:", launcher)
            + KeyHelp.render("Broker:", brokerKeys.values())
            + KeyHelp.render("Store:", KeyHelp.keys(broker.store()).values())
            + KeyHelp.render("TLS (docs/security.md):", KeyHelp.keys(broker.tls()).values())
            + KeyHelp.render("AMQP 1.0 listener:", KeyHelp.keys(new AmqpConfig()).values())
            + OTHER_KEYS);
  }

  static String broker() {
    BrokerConfig broker = new BrokerConfig(Path.of("./data"));
    Map<String, KeyHelp.Key> brokerKeys = KeyHelp.keys(broker);
    note(brokerKeys, "listenPort", "The broker's port (as in RocketMQ's broker.conf).");
    return KeyHelp.forPicocli(
        HEADER
            + KeyHelp.render("Broker:", brokerKeys.values())
            + KeyHelp.render("Store:", KeyHelp.keys(broker.store()).values())
            + KeyHelp.render("TLS (docs/security.md):", KeyHelp.keys(broker.tls()).values())
            + KeyHelp.render("AMQP 1.0 listener:", KeyHelp.keys(new AmqpConfig()).values())
            + OTHER_KEYS);
  }

  static String namesrv() {
    NamesrvConfig config = new NamesrvConfig();
    Map<String, KeyHelp.Key> keys = KeyHelp.keys(config);
    note(
        keys,
        "listenPort",
        "The name server's port (as in RocketMQ's namesrv.conf; for broker and standalone,"
            + " listenPort is the broker's port).");
    Map<String, KeyHelp.Key> tls = KeyHelp.keys(config.tls());
    tls.keySet().removeIf(k -> k.startsWith("tlsClient")); // a name server connects to no one
    return KeyHelp.forPicocli(
        HEADER
            + KeyHelp.render("Name server:", keys.values())
            + KeyHelp.render("TLS (docs/security.md):", tls.values())
            + OTHER_KEYS);
  }

  private static void note(Map<String, KeyHelp.Key> keys, String key, String note) {
    keys.computeIfPresent(
        key, (k, v) -> new KeyHelp.Key(k, v.defaultValue(), note + " " + v.meaning()));
  }
}
