package io.wharfmq.launcher;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.ConfigBinder;
import io.wharfmq.namesrv.NameServer;
import io.wharfmq.namesrv.NamesrvConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    version = "Wharf 0.1.0-SNAPSHOT",
    description = "Wharf message broker",
    subcommands = {
      Wharf.Standalone.class,
      Wharf.Namesrv.class,
      Wharf.BrokerCmd.class,
      ClientCommands.Send.class,
      ClientCommands.Consume.class,
      AdminCommands.class
    })
public final class Wharf implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Wharf.class);

  /** Exit code for invalid configuration. */
  static final int EXIT_CONFIG = 2;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Wharf()).execute(args));
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** Options every subcommand has. */
  static class ConfigOptions {
    @Option(names = "--config", description = "Properties file (RocketMQ broker.conf key names).")
    Path config;

    @Option(names = "--set", description = "key=value; repeatable; wins over --config.")
    List<String> sets = new ArrayList<>();

    Map<String, String> settings() throws IOException {
      Map<String, String> out = new LinkedHashMap<>();
      if (config != null) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(config)) {
          p.load(r);
        }
        for (String k : p.stringPropertyNames()) {
          out.put(k, p.getProperty(k));
        }
      }
      for (String s : sets) {
        int eq = s.indexOf('=');
        if (eq <= 0) {
          throw new CommandLine.ParameterException(
              new CommandLine(new Wharf()), "--set expects key=value, got '" + s + "'");
        }
        out.put(s.substring(0, eq).trim(), s.substring(eq + 1));
      }
      return out;
    }
  }

  static int fail(List<String> problems) {
    System.err.println("Wharf cannot start: invalid configuration");
    for (String p : problems) {
      System.err.println("  - " + p);
    }
    return EXIT_CONFIG;
  }

  /** Blocks until SIGTERM/SIGINT, then runs {@code stop}. */
  static void awaitShutdown(AutoCloseable... parts) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Shutdown requested: stopping gracefully");
                  for (AutoCloseable part : parts) {
                    try {
                      part.close();
                    } catch (Exception e) {
                      log.error("Error while stopping {}", part, e);
                    }
                  }
                  done.countDown();
                },
                "wharf-shutdown"));
    done.await();
  }

  static BrokerConfig brokerConfig(Map<String, String> settings, List<String> problems) {
    String root = settings.getOrDefault("storePathRootDir", "./data");
    BrokerConfig config = new BrokerConfig(Path.of(root));
    ConfigBinder.Result bound =
        ConfigBinder.bindSettings(
            settings, Set.of("storePathRootDir", "namesrvPort"), config, config.store());
    bound.noEffectWarning().ifPresent(log::warn);
    problems.addAll(bound.problems());
    problems.addAll(config.problems());
    config.startupNotes().forEach(log::info);
    return config;
  }

  @Command(name = "standalone", description = "Name server and one broker in one JVM.")
  static final class Standalone implements Callable<Integer> {
    @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
      Map<String, String> settings = options.settings();
      int namesrvPort = Integer.parseInt(settings.getOrDefault("namesrvPort", "9876"));
      settings.putIfAbsent("namesrvAddr", "127.0.0.1:" + namesrvPort);
      List<String> problems = new ArrayList<>();
      BrokerConfig brokerConfig = brokerConfig(settings, problems);
      NamesrvConfig namesrvConfig =
          new NamesrvConfig()
              .listenPort(namesrvPort)
              .responseSerializeType(brokerConfig.responseSerializeType());
      problems.addAll(namesrvConfig.problems());
      if (!problems.isEmpty()) {
        return fail(problems);
      }
      NameServer namesrv = new NameServer(namesrvConfig);
      namesrv.start();
      Broker broker = Broker.start(brokerConfig, InstantSource.system());
      log.info(
          "Wharf standalone ready: name server 127.0.0.1:{}, broker {}",
          namesrv.port(),
          broker.address());
      awaitShutdown(broker, namesrv::shutdown);
      return 0;
    }
  }

  @Command(name = "namesrv", description = "A name server.")
  static final class Namesrv implements Callable<Integer> {
    @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
      NamesrvConfig config = new NamesrvConfig();
      ConfigBinder.Result bound = ConfigBinder.bindSettings(options.settings(), Set.of(), config);
      bound.noEffectWarning().ifPresent(log::warn);
      List<String> problems = new ArrayList<>(bound.problems());
      problems.addAll(config.problems());
      config.startupNotes().forEach(log::info);
      if (!problems.isEmpty()) {
        return fail(problems);
      }
      NameServer namesrv = new NameServer(config);
      namesrv.start();
      awaitShutdown(namesrv::shutdown);
      return 0;
    }
  }

  @Command(name = "broker", description = "A broker (set namesrvAddr).")
  static final class BrokerCmd implements Callable<Integer> {
    @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
      List<String> problems = new ArrayList<>();
      BrokerConfig config = brokerConfig(options.settings(), problems);
      if (!problems.isEmpty()) {
        return fail(problems);
      }
      Broker broker = Broker.start(config, InstantSource.system());
      awaitShutdown(broker);
      return 0;
    }
  }
}
