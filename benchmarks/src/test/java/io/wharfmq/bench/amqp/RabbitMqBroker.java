package io.wharfmq.bench.amqp;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * RabbitMQ from Debian's {@code rabbitmq-server} package (3.10) with its AMQP 1.0 plugin, run as a
 * node of its own: its own node name, AMQP and distribution ports on 127.0.0.1, data, logs, config,
 * plugin list and Erlang cookie in a temp directory, never the packaged service's. The node runs in
 * the foreground script ({@code /usr/lib/rabbitmq/bin/rabbitmq-server}), which on SIGTERM stops it
 * with {@code rabbitmqctl stop}. The package is installed by {@code bin/install-bench-deps} when
 * missing. See {@link AmqpBroker}.
 *
 * <p>Each run's queue is declared durable before any client attaches ({@code rabbitmqctl eval} of
 * {@code rabbit_amqqueue:declare}), so its durability does not hang on how the plugin declares a
 * queue for a {@code /queue/} address from a JMS terminus. The producers send to {@code
 * /amq/queue/NAME} and the consumer reads it (addresses of an existing queue; Qpid JMS passes them
 * through unchanged), and deleted after its run. Qpid JMS marks persistent messages durable, so
 * they go to RabbitMQ's message store, and the plugin settles a transfer once the publish is
 * confirmed: by RabbitMQ's rule, once it is on disk or has been consumed and acknowledged,
 * whichever comes first. Everything else is at RabbitMQ's defaults except the memory high
 * watermark, 2 GB like the JVM brokers' heap + direct memory.
 *
 * <p>Fan-out ({@link ExchangeBroker}): the 3.10 plugin has no {@code /management} node, so the
 * exchange, queues and bindings are declared over AMQP 0.9.1 with RabbitMQ's Java client on the
 * same port; producers publish to the plugin's v1 address {@code /exchange/X/KEY}, consumers read
 * {@code /amq/queue/Q}.
 */
final class RabbitMqBroker implements ExchangeBroker {
  static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
  static final Path CTL = Path.of("/usr/lib/rabbitmq/bin/rabbitmqctl");

  private final ChildProcess child;
  private final Map<String, String> env;
  private final int port;
  private final long beamPid;

  private RabbitMqBroker(ChildProcess child, Map<String, String> env, int port, long beamPid) {
    this.child = child;
    this.env = env;
    this.port = port;
    this.beamPid = beamPid;
  }

  /** Whether the package is installed; if not, the table says how to install it. */
  static boolean installed() {
    return Files.isExecutable(SERVER) && Files.isExecutable(CTL);
  }

  static RabbitMqBroker start(Path root) throws Exception {
    Path dir = Files.createTempDirectory(root, "rabbitmq-");
    int port = ChildProcess.freePort();
    int distPort = ChildProcess.freePort();
    Files.writeString(dir.resolve("enabled_plugins"), "[rabbitmq_amqp1_0].\n");
    Files.writeString(
        dir.resolve("rabbitmq.conf"),
        "listeners.tcp.default = 127.0.0.1:"
            + port
            + "\nvm_memory_high_watermark.absolute = 2GB\n"
            // guest may connect from 127.0.0.1 anyway; the plugin maps anonymous AMQP 1.0
            // connections to guest, and the benchmark logs in as guest.
            + "loopback_users = none\n");
    Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
    Map<String, String> env = new HashMap<>();
    env.put("HOME", dir.toString()); // the Erlang cookie of this node and of rabbitmqctl
    env.put("RABBITMQ_NODENAME", "wharfbench" + ProcessHandle.current().pid() + "@localhost");
    env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_NODE_PORT", Integer.toString(port));
    env.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
    env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
    env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
    env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
    env.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
    env.put("RABBITMQ_PID_FILE", dir.resolve("rabbitmq.pid").toString());
    env.put("RABBITMQ_PLUGINS_EXPAND_DIR", dir.resolve("plugins-expand").toString());
    ChildProcess c = ChildProcess.start("rabbitmq", dir, List.of(SERVER.toString()), env);
    try {
      c.awaitLine(l -> l.contains("Starting broker... completed"), Duration.ofSeconds(120));
      if (!ChildProcess.accepts(port)) {
        throw new IllegalStateException("RabbitMQ started but does not listen on " + port);
      }
      long beam = Long.parseLong(Files.readString(dir.resolve("rabbitmq.pid")).strip());
      return new RabbitMqBroker(c, env, port, beam);
    } catch (Exception e) {
      c.terminate();
      c.awaitExit(Duration.ofSeconds(60));
      throw e;
    }
  }

  /** Runs rabbitmqctl against this node; throws with its output if it fails. */
  String ctl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(CTL.toString(), "-q"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }

  @Override
  public String kind() {
    return "rabbitmq";
  }

  @Override
  public String durability() {
    return "durable classic queue, defaults (a persistent send is confirmed once on disk, or once"
        + " consumed and acknowledged if that comes first)";
  }

  @Override
  public String uri(String jmsOptions) {
    return "amqp://127.0.0.1:"
        + port
        + "?jms.username=guest&jms.password=guest"
        + (jmsOptions.isEmpty() ? "" : "&" + jmsOptions);
  }

  @Override
  public void createQueue(String queue) throws Exception {
    ctl(
        "eval",
        "rabbit_amqqueue:declare(rabbit_misc:r(<<\"/\">>, queue, <<\""
            + queue
            + "\">>), true, false, [], none, <<\"bench\">>).");
  }

  @Override
  public String address(String queue) {
    return "/amq/queue/" + queue;
  }

  @Override
  public void deleteQueue(String queue) throws Exception {
    ctl("delete_queue", queue);
  }

  @Override
  public void declareFanout(String exchange, List<String> queues, String bindingKey)
      throws Exception {
    try (com.rabbitmq.client.Connection c = amqp091().newConnection("wharf-bench-topology");
        Channel ch = c.createChannel()) {
      ch.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
      for (String q : queues) {
        ch.queueDeclare(q, true, false, false, null);
        ch.queueBind(q, exchange, bindingKey);
      }
    }
  }

  @Override
  public void deleteFanout(String exchange, List<String> queues) throws Exception {
    try (com.rabbitmq.client.Connection c = amqp091().newConnection("wharf-bench-topology");
        Channel ch = c.createChannel()) {
      for (String q : queues) {
        ch.queueDelete(q);
      }
      ch.exchangeDelete(exchange);
    }
  }

  private ConnectionFactory amqp091() {
    ConnectionFactory f = new ConnectionFactory();
    f.setHost("127.0.0.1");
    f.setPort(port);
    f.setUsername("guest");
    f.setPassword("guest");
    return f;
  }

  @Override
  public String exchangeAddress(String exchange, String routingKey) {
    return "/exchange/" + exchange + "/" + routingKey;
  }

  @Override
  public String queueAddress(String queue) {
    return address(queue);
  }

  @Override
  public String topologyNote() {
    return "topology over AMQP 0.9.1 (RabbitMQ's Java client); AMQP 1.0 plugin addresses v1:"
        + " /exchange/X/KEY, /amq/queue/Q";
  }

  @Override
  public Path dataDir() {
    return child.dir;
  }

  @Override
  public long pid() {
    return beamPid;
  }

  @Override
  public void close() {
    child.terminate();
    child.awaitExit(Duration.ofSeconds(60));
  }
}
