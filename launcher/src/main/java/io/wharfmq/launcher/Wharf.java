package io.wharfmq.launcher;

import io.wharfmq.amqp.transport.AmqpConfig;
import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.ConfigBinder;
import io.wharfmq.broker.takeover.RocketMqDirectory;
import io.wharfmq.namesrv.NameServer;
import io.wharfmq.namesrv.NamesrvConfig;
import io.wharfmq.store.takeover.TakeoverRefusedException;
import io.wharfmq.tls.ServerTls;
import io.wharfmq.tls.TlsConfig;
import io.wharfmq.tls.TlsMode;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/wharf}: starts a name server, a broker, or both in one JVM ("standalone"). Settings
 * come from {@code --config FILE} (Java properties, RocketMQ broker.conf key names) and repeatable
 * {@code --set key=value} (which win), are validated before anything starts, and SIGTERM shuts down
 * gracefully.
 */
@Command(
    name = "wharf",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    showDefaultValues = true,
    version = "Wharf 0.1.0-SNAPSHOT",
    description = "Wharf message broker",
    subcommands = {
      Wharf.Standalone.class,
      Wharf.Namesrv.class,
      Wharf.BrokerCmd.class,
      StopCommand.class,
      PasswdCommand.class,
      ClientCommands.Send.class,
      ClientCommands.Consume.class,
      AdminCommands.class
    })
public final class Wharf implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Wharf.class);

  /** Exit code for invalid configuration. */
  static final int EXIT_CONFIG = 2;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with each server command's configuration keys in its --help. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Wharf());
    cl.getSubcommands()
        .get("standalone")
        .getCommandSpec()
        .usageMessage()
        .footer(ServerHelp.standalone());
    cl.getSubcommands().get("broker").getCommandSpec().usageMessage().footer(ServerHelp.broker());
    cl.getSubcommands().get("namesrv").getCommandSpec().usageMessage().footer(ServerHelp.namesrv());
    return cl;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** Options every server command (and stop) has. */
  static class ConfigOptions {
    @Option(
        names = "--config",
        paramLabel = "FILE",
        description =
            "Properties file with the keys below (RocketMQ's broker.conf / namesrv.conf names).")
    Path config;

    @Option(
        names = "--set",
        paramLabel = "key=value",
        showDefaultValue = CommandLine.Help.Visibility.NEVER,
        description = "One key; repeatable; wins over --config.")
    List<String> sets = new ArrayList<>();

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description =
            "Data directory: same as --set storePathRootDir=DIR; for namesrv, where its pid file"
                + " and logs/namesrv-<port>.log go. Default ./data.")
    Path dir;

    /** The data directory: storePathRootDir if set, else --dir, else ./data. */
    Path dataDir(Map<String, String> settings) {
      String root = settings.get("storePathRootDir");
      return root != null ? Path.of(root.trim()) : dir != null ? dir : Path.of("./data");
    }

    /** {@link #settings()} with --dir as storePathRootDir (unless that key is set). */
    Map<String, String> settingsWithDir() throws StartupFailure, IOException {
      Map<String, String> settings = settings();
      if (dir != null) {
        settings.putIfAbsent("storePathRootDir", dir.toString());
      }
      return settings;
    }

    /** The settings of --config and --set; a file that cannot be read is a one-line failure. */
    Map<String, String> settings() throws StartupFailure, IOException {
      Map<String, String> out = new LinkedHashMap<>();
      if (config != null) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(config)) {
          p.load(r);
        } catch (NoSuchFileException e) {
          throw new StartupFailure("--config " + config + ": no such file");
        } catch (AccessDeniedException e) {
          throw new StartupFailure("--config " + config + ": permission denied");
        } catch (IllegalArgumentException e) {
          throw new StartupFailure(
              "--config " + config + ": not a properties file: " + e.getMessage());
        }
        for (String k : p.stringPropertyNames()) {
          out.put(k, p.getProperty(k));
        }
      }
      for (String s : sets) {
        int eq = s.indexOf('=');
        if (eq <= 0) {
          throw new StartupFailure("--set expects key=value, got '" + s + "'");
        }
        out.put(s.substring(0, eq).trim(), s.substring(eq + 1));
      }
      return out;
    }
  }

  /**
   * Prints the configuration's problems and returns the exit code for them: one line for one
   * problem, else a header and one " - " line per problem.
   */
  static int fail(List<String> problems) {
    if (problems.size() == 1) {
      System.err.println("Wharf cannot start: invalid configuration: " + problems.get(0));
      return EXIT_CONFIG;
    }
    System.err.println("Wharf cannot start: invalid configuration");
    for (String p : problems) {
      System.err.println("  - " + p);
    }
    return EXIT_CONFIG;
  }

  static int fail(StartupFailure f) {
    System.err.println("Wharf cannot start: " + f.getMessage());
    log.debug("start failed", f);
    return EXIT_CONFIG;
  }

  /**
   * A message the AMQP listener takes must fit the store: a larger setting is refused, the default
   * gives way to a smaller store limit.
   */
  private static void amqpMessageSizeWithinStore(
      Map<String, String> settings, List<String> problems, AmqpConfig amqp, int storeMax) {
    if (amqp.amqpMaxMessageSize() <= storeMax) {
      return;
    }
    if (settings.containsKey("amqpMaxMessageSize")) {
      problems.add(
          "amqpMaxMessageSize ("
              + amqp.amqpMaxMessageSize()
              + ") must not exceed the store's maxMessageSize ("
              + storeMax
              + "): the store would refuse such messages after the listener took them; lower"
              + " amqpMaxMessageSize to at most "
              + storeMax
              + " or raise maxMessageSize");
    } else if (storeMax >= 1024) {
      log.info("amqpMaxMessageSize is {}, the store's maxMessageSize", storeMax);
      amqp.amqpMaxMessageSize(storeMax);
    }
  }

  /**
   * The broker's configuration (and, bound from the same settings, the AMQP listener's into {@code
   * amqp}); the problems of both go to {@code problems}.
   */
  static BrokerConfig brokerConfig(
      Map<String, String> settings, List<String> problems, AmqpConfig amqp) {
    String root = settings.getOrDefault("storePathRootDir", "./data");
    BrokerConfig config = new BrokerConfig(Path.of(root));
    ConfigBinder.Result bound =
        ConfigBinder.bindSettings(
            settings,
            Set.of("storePathRootDir", "namesrvPort"),
            config,
            config.store(),
            config.tls(),
            amqp);
    bound.noEffectWarning().ifPresent(log::warn);
    problems.addAll(bound.problems());
    problems.addAll(config.problems());
    if (amqp.amqpsEnable()) {
      amqpsProblems(problems, amqp, config);
    }
    if (amqp.amqpEnable() || amqp.amqpsEnable()) {
      problems.addAll(amqp.problems(config.aclEnable()));
      amqpMessageSizeWithinStore(settings, problems, amqp, config.store().maxMessageSize());
      if (amqp.amqpPort() != 0 && amqp.amqpPort() == config.listenPort()) {
        problems.add(
            "amqpPort and listenPort are both "
                + amqp.amqpPort()
                + ": the AMQP listener and the broker's RocketMQ port need different ports");
      }
    }
    config.startupNotes().forEach(log::info);
    return config;
  }

  /**
   * In standalone the broker registers with its own name server, which takes TLS only with
   * tlsMode=ENFORCING: without tlsClientEnable the broker would retry forever, never ready.
   */
  static java.util.Optional<String> standaloneTlsProblem(TlsConfig tls) {
    if (tls.tlsMode() != TlsMode.ENFORCING || tls.tlsClientEnable()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "tlsMode=ENFORCING in standalone needs tlsClientEnable=true: the broker registers with"
            + " the standalone's name server, which then takes TLS only; set tlsClientEnable=true"
            + " and tlsClientTrustCertPath to the PEM file of the CA that signed tlsServerCertPath"
            + " (the certificate must name 127.0.0.1), or use tlsMode=PERMISSIVE");
  }

  private static void amqpsProblems(List<String> problems, AmqpConfig amqp, BrokerConfig config) {
    if (!config.tls().serverCertificateSet()) {
      problems.add(
          "amqpsEnable=true needs the server's certificate: set tlsServerCertPath (PEM certificate"
              + " chain) and tlsServerKeyPath (PEM PKCS#8 private key)");
    }
    if (amqp.amqpsPort() != 0 && amqp.amqpsPort() == config.listenPort()) {
      problems.add(
          "amqpsPort and listenPort are both "
              + amqp.amqpsPort()
              + ": the AMQPS listener and the broker's RocketMQ port need different ports");
    }
  }

  /**
   * What every server command does before its servers start: the data directory is usable and not
   * served by a running Wharf as the same {@code instance}, the pid file {@code
   * <dir>/<instance>.pid} is written and the log also goes to {@code <dir>/logs/<instance>.log}
   * ({@code wharf.log} for standalone and broker). Both are undone by {@code life} at stop.
   */
  static PidFile beginInstance(
      ServerLifecycle life, Path dir, String instance, String role, String dirKey)
      throws StartupFailure, IOException {
    // A name server keeps no data and shares the directory with a broker that holds the store's
    // lock: checking that lock made a name server started beside a running broker refuse to start.
    StartupChecks.dataDirectory(dir, dirKey, !role.equals("namesrv"));
    StartupChecks.notRunning(dir, instance, role, dirKey);
    String logName = role.equals("namesrv") ? instance : "wharf";
    LogFiles logFile = LogFiles.attach(dir, logName);
    life.add(logFile);
    log.info("Logging to {} as well", LogFiles.file(dir, logName).toAbsolutePath().normalize());
    PidFile pid = PidFile.write(dir, instance, role);
    life.add(pid);
    return pid;
  }

  /**
   * A store directory Apache RocketMQ wrote that cannot be taken over is refused before the pid
   * file and the log file go into it, so the refusal leaves it exactly as it was.
   */
  static void refuseUnreadableRocketMqDirectory(BrokerConfig config)
      throws IOException, StartupFailure {
    try {
      RocketMqDirectory.check(
          config, config.store().storePathRootDir().resolve("config"), InstantSource.system());
    } catch (TakeoverRefusedException refused) {
      throw new StartupFailure(
          refused.getMessage()
              + "; see docs/migration.md, or set storePathRootDir to another directory");
    }
  }

  static NameServer startNamesrv(NamesrvConfig config, String portKey, ServerLifecycle life)
      throws Exception {
    NameServer namesrv = new NameServer(config);
    try {
      namesrv.start();
    } catch (Exception e) {
      throw StartupChecks.explain(e, config.listenPort(), portKey, "the name server port")
          .<Exception>map(f -> f)
          .orElse(e);
    }
    life.add(namesrv::shutdown);
    return namesrv;
  }

  static Broker startBroker(BrokerConfig config, ServerLifecycle life) throws Exception {
    Broker broker;
    try {
      broker = Broker.start(config, InstantSource.system());
    } catch (Exception e) {
      throw StartupChecks.explain(e, config.listenPort(), "listenPort", "the broker port")
          .<Exception>map(f -> f)
          .orElse(e);
    }
    life.add(broker);
    return broker;
  }

  /**
   * Starts the AMQP 1.0 listener over the broker's messaging service (after the broker is ready, so
   * the first AMQP client finds it serving); returns its description for the ready line, or "AMQP
   * off (amqpEnable=false)".
   */
  static String startAmqp(AmqpConfig config, Broker broker, ServerLifecycle life) throws Exception {
    if (!config.amqpEnable()) {
      return "AMQP off (amqpEnable=false)";
    }
    AmqpListener listener;
    try {
      listener = AmqpWiring.start(config, broker.messagingService(), broker.access());
    } catch (IllegalArgumentException e) {
      throw new StartupFailure(e.getMessage()); // a bad users-file line, named
    } catch (java.nio.file.NoSuchFileException e) {
      throw new StartupFailure(
          "amqpUsersFile " + e.getFile() + ": no such file; create it with bin/wharf passwd NAME");
    } catch (Exception e) {
      throw StartupChecks.explain(e, config.amqpPort(), "amqpPort", "the AMQP 1.0 port")
          .<Exception>map(f -> f)
          .orElse(e);
    }
    life.add(listener);
    return "AMQP " + config.amqpBindAddress() + ":" + listener.port() + " (amqpPort)";
  }

  /**
   * Starts the TLS-only AMQP 1.0 listener (amqpsEnable) like {@link #startAmqp}; returns ", AMQPS
   * address (amqpsPort)" for the ready line, or "" when it is off.
   */
  static String startAmqps(AmqpConfig config, TlsConfig tls, Broker broker, ServerLifecycle life)
      throws Exception {
    if (!config.amqpsEnable()) {
      return "";
    }
    AmqpListener listener;
    try {
      listener =
          AmqpWiring.startTls(
              config,
              ServerTls.of(tls, TlsMode.ENFORCING),
              broker.messagingService(),
              broker.access());
    } catch (javax.net.ssl.SSLException e) {
      throw new StartupFailure("tlsServerCertPath/tlsServerKeyPath: " + e.getMessage());
    } catch (Exception e) {
      throw StartupChecks.explain(e, config.amqpsPort(), "amqpsPort", "the AMQPS port")
          .<Exception>map(f -> f)
          .orElse(e);
    }
    life.add(listener);
    return ", AMQPS " + config.amqpBindAddress() + ":" + listener.port() + " (amqpsPort)";
  }

  /**
   * Registers with the name servers until one accepts (a client asking it for a route from now on
   * gets one); returns how many accepted, 0 if none is configured, -1 if a stop came first.
   */
  static int awaitRegistered(Broker broker, BrokerConfig config, ServerLifecycle life)
      throws InterruptedException {
    if (config.namesrvAddresses().isEmpty()) {
      return 0;
    }
    for (int attempt = 0; ; attempt++) {
      int accepted = broker.registerNow();
      if (accepted > 0) {
        return accepted;
      }
      if (attempt % 30 == 0) {
        log.warn(
            "Not ready yet: no name server of namesrvAddr={} accepted the registration;"
                + " retrying every second",
            config.namesrvAddr());
      }
      if (life.awaitStopRequest(1000)) {
        return -1;
      }
    }
  }

  /** Runs a server command's start: one line and exit code 2 for what the operator can fix. */
  interface ServerStart {
    void start(ServerLifecycle life) throws Exception;
  }

  static int serve(ServerStart start) throws Exception {
    ServerLifecycle life = new ServerLifecycle();
    try {
      start.start(life);
    } catch (StartupFailure f) {
      life.abort();
      return fail(f);
    } catch (Exception e) {
      log.error("Wharf cannot start", e); // before abort(): the trace goes to the log file too
      life.abort();
      System.err.println("Wharf cannot start: " + e);
      return 1;
    }
    life.awaitStopped();
    return 0;
  }

  @Command(
      name = "standalone",
      description = {
        "A name server and one broker in one JVM. Ports: namesrvPort (name server, default 9876)"
            + " and listenPort (broker, default 10911).",
        "Prints 'Wharf standalone ready' once the broker has registered with the name server."
      })
  static final class Standalone implements Callable<Integer> {
    @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
      Map<String, String> settings;
      int namesrvPort;
      try {
        settings = options.settingsWithDir();
        namesrvPort = StartupChecks.port(settings, "namesrvPort", 9876, NAMESRV_PORT_IN_STANDALONE);
        int brokerPort = StartupChecks.port(settings, "listenPort", 10911, BROKER_PORT);
        if (namesrvPort == brokerPort && brokerPort != 0) {
          throw new StartupFailure(
              "namesrvPort and listenPort are both "
                  + brokerPort
                  + ": in standalone namesrvPort is the name server's port and listenPort the"
                  + " broker's; give them different ports");
        }
      } catch (StartupFailure f) {
        return fail(f);
      }
      settings.putIfAbsent("namesrvAddr", "127.0.0.1:" + namesrvPort);
      List<String> problems = new ArrayList<>();
      AmqpConfig amqpConfig = new AmqpConfig();
      BrokerConfig brokerConfig = brokerConfig(settings, problems, amqpConfig);
      if (amqpConfig.amqpEnable() && amqpConfig.amqpPort() == namesrvPort && namesrvPort != 0) {
        problems.add(
            "amqpPort and namesrvPort are both "
                + namesrvPort
                + ": the AMQP listener and the name server need different ports");
      }
      // One set of TLS keys for both listeners: the name server shows the broker's certificate.
      NamesrvConfig namesrvConfig =
          new NamesrvConfig(brokerConfig.tls())
              .listenPort(namesrvPort)
              .responseSerializeType(brokerConfig.responseSerializeType());
      namesrvConfig.problems().stream().filter(p -> !problems.contains(p)).forEach(problems::add);
      standaloneTlsProblem(brokerConfig.tls()).ifPresent(problems::add);
      if (!problems.isEmpty()) {
        return fail(problems);
      }
      return serve(
          life -> {
            Path dir = brokerConfig.store().storePathRootDir();
            refuseUnreadableRocketMqDirectory(brokerConfig);
            PidFile pid = beginInstance(life, dir, "standalone", "standalone", "storePathRootDir");
            NameServer namesrv = startNamesrv(namesrvConfig, "namesrvPort", life);
            Broker broker = startBroker(brokerConfig, life);
            if (awaitRegistered(broker, brokerConfig, life) < 0) {
              return;
            }
            String amqp =
                startAmqp(amqpConfig, broker, life)
                    + startAmqps(amqpConfig, brokerConfig.tls(), broker, life);
            pid.update(
                "name server 127.0.0.1:"
                    + namesrv.port()
                    + ", broker "
                    + broker.address()
                    + ", "
                    + amqp);
            log.info(
                "Wharf standalone ready: name server 127.0.0.1:{} (namesrvPort), broker {}"
                    + " (listenPort), registered; {}; data in {}",
                namesrv.port(),
                broker.address(),
                amqp,
                dir.toAbsolutePath().normalize());
          });
    }
  }

  static final String NAMESRV_PORT_IN_STANDALONE =
      "the name server's port in standalone (listenPort is the broker's)";
  static final String BROKER_PORT = "the broker's port";
  static final String NAMESRV_PORT_IN_NAMESRV =
      "the name server's port in bin/wharf namesrv (as in RocketMQ's namesrv.conf; in broker and"
          + " standalone listenPort is the broker's port)";

  @Command(
      name = "namesrv",
      description = {
        "A name server. Its port is listenPort (default 9876), as in RocketMQ's namesrv.conf.",
        "Pid file <dir>/namesrv-<port>.pid, log <dir>/logs/namesrv-<port>.log (--dir, default"
            + " ./data)."
      })
  static final class Namesrv implements Callable<Integer> {
    @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
      Map<String, String> settings;
      try {
        settings = options.settings();
        StartupChecks.port(settings, "listenPort", 9876, NAMESRV_PORT_IN_NAMESRV);
      } catch (StartupFailure f) {
        return fail(f);
      }
      NamesrvConfig config = new NamesrvConfig();
      ConfigBinder.Result bound =
          ConfigBinder.bindSettings(options.settings(), Set.of(), config, config.tls());
      bound.noEffectWarning().ifPresent(log::warn);
      List<String> problems = new ArrayList<>(bound.problems());
      problems.addAll(config.problems());
      config.startupNotes().forEach(log::info);
      if (!problems.isEmpty()) {
        return fail(problems);
      }
      Path dir = options.dir != null ? options.dir : Path.of("./data");
      return serve(
          life -> {
            // Files are named by port, so that several name servers may share a directory; with
            // listenPort=0 the port is known only once bound.
            int configured = config.listenPort();
            PidFile pid =
                configured == 0
                    ? null
                    : beginInstance(
                        life, dir, PidFile.namesrvInstance(configured), "namesrv", "--dir");
            NameServer namesrv = startNamesrv(config, "listenPort", life);
            if (pid == null) {
              pid =
                  beginInstance(
                      life, dir, PidFile.namesrvInstance(namesrv.port()), "namesrv", "--dir");
            }
            pid.update("name server " + config.bindAddress() + ":" + namesrv.port());
            log.info(
                "Wharf namesrv ready: listening on {}:{} (listenPort)",
                config.bindAddress(),
                namesrv.port());
          });
    }
  }

  @Command(
      name = "broker",
      description = {
        "A broker; set namesrvAddr. Its port is listenPort (default 10911).",
        "Prints 'Wharf broker ready' once a name server has accepted its registration."
      })
  static final class BrokerCmd implements Callable<Integer> {
    @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
      Map<String, String> settings;
      try {
        settings = options.settingsWithDir();
        StartupChecks.port(settings, "listenPort", 10911, BROKER_PORT);
      } catch (StartupFailure f) {
        return fail(f);
      }
      List<String> problems = new ArrayList<>();
      AmqpConfig amqpConfig = new AmqpConfig();
      BrokerConfig config = brokerConfig(settings, problems, amqpConfig);
      if (!problems.isEmpty()) {
        return fail(problems);
      }
      return serve(
          life -> {
            Path dir = config.store().storePathRootDir();
            refuseUnreadableRocketMqDirectory(config);
            PidFile pid = beginInstance(life, dir, "broker", "broker", "storePathRootDir");
            Broker broker = startBroker(config, life);
            int accepted = awaitRegistered(broker, config, life);
            if (accepted < 0) {
              return;
            }
            String amqp =
                startAmqp(amqpConfig, broker, life)
                    + startAmqps(amqpConfig, config.tls(), broker, life);
            pid.update("broker " + broker.address() + ", " + amqp);
            log.info(
                "Wharf broker ready: {} of cluster {} at {} (listenPort), {}, registered with {}"
                    + " of {} name servers ({}); data in {}",
                config.brokerName(),
                config.brokerClusterName(),
                broker.address(),
                amqp,
                accepted,
                config.namesrvAddresses().size(),
                config.namesrvAddresses().isEmpty() ? "namesrvAddr not set" : config.namesrvAddr(),
                dir.toAbsolutePath().normalize());
          });
    }
  }
}
