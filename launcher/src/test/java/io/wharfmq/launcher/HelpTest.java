package io.wharfmq.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.ConfigBinder;
import io.wharfmq.namesrv.NamesrvConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every command has --help; the server commands' list every key with default and meaning. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HelpTest {
  record Help(int code, String out) {}

  static Help help(String... command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      String[] args = Arrays.copyOf(command, command.length + 1);
      args[command.length] = "--help";
      code = Wharf.commandLine().execute(args);
    } finally {
      System.setOut(old);
    }
    return new Help(code, out.toString(StandardCharsets.UTF_8));
  }

  static List<String> keys(Object... configs) {
    return Arrays.asList(ConfigBinder.knownKeys(configs).split(", "));
  }

  /** " key=default" followed by an indented, non-empty meaning. */
  static void assertDocumented(String help, String key, String defaultValue) {
    assertThat(help)
        .as("%s listed with its default and meaning", key)
        .containsPattern(
            "(?m)^  " + key + "=" + java.util.regex.Pattern.quote(defaultValue) + "\\n {6}\\S");
  }

  @Test
  void standaloneHelpListsEveryBrokerAndStoreKeyWithDefaultAndMeaning() {
    Help h = help("standalone");
    assertThat(h.code()).isZero();
    BrokerConfig fresh = new BrokerConfig(Path.of("./data"));
    for (String key : keys(fresh, fresh.store())) {
      assertThat(h.out()).contains("  " + key + "=");
      assertThat(
              KeyHelp.keys(fresh).containsKey(key) || KeyHelp.keys(fresh.store()).containsKey(key))
          .isTrue();
    }
    assertDocumented(h.out(), "namesrvPort", "9876");
    assertDocumented(h.out(), "listenPort", "10911");
    assertDocumented(h.out(), "storePathRootDir", "./data");
    assertDocumented(h.out(), "flushDiskType", "ASYNC");
    assertDocumented(h.out(), "brokerName", "broker-a");
    assertThat(h.out()).contains("The broker's port; the name server's is namesrvPort.");
  }

  @Test
  void everyKeyOfTheConfigObjectsHasAMeaningInTheirSource() {
    BrokerConfig broker = new BrokerConfig(Path.of("./data"));
    for (Object config : List.of(broker, broker.store(), broker.tls(), new NamesrvConfig())) {
      for (KeyHelp.Key k : KeyHelp.keys(config).values()) {
        assertThat(k.meaning())
            .as("doc comment on %s.%s", config.getClass().getSimpleName(), k.name())
            .isNotBlank();
      }
    }
  }

  @Test
  void brokerAndNamesrvHelpSayWhatListenPortMeansThere() {
    Help broker = help("broker");
    assertThat(broker.code()).isZero();
    BrokerConfig fresh = new BrokerConfig(Path.of("./data"));
    for (String key : keys(fresh, fresh.store())) {
      assertThat(broker.out()).contains("  " + key + "=");
    }
    assertThat(broker.out()).contains("The broker's port (as in RocketMQ's broker.conf).");
    Help namesrv = help("namesrv");
    assertThat(namesrv.code()).isZero();
    for (String key : keys(new NamesrvConfig())) {
      assertThat(namesrv.out()).contains("  " + key + "=");
    }
    assertDocumented(namesrv.out(), "listenPort", "9876");
    assertThat(namesrv.out()).contains("The name server's port (as in RocketMQ's namesrv.conf;");
  }

  @Test
  void everyOtherCommandHasHelp() {
    for (String[] command :
        List.of(
            new String[] {},
            new String[] {"stop"},
            new String[] {"send"},
            new String[] {"consume"},
            new String[] {"admin"},
            new String[] {"admin", "topics"},
            new String[] {"admin", "lag"},
            new String[] {"admin", "groups"},
            new String[] {"admin", "vhost"},
            new String[] {"admin", "vhost", "add"})) {
      Help h = help(command);
      assertThat(h.code()).as(String.join(" ", command)).isZero();
      assertThat(h.out()).startsWith("Usage: wharf").contains("--help");
    }
    assertThat(help("stop").out()).contains("--dir").contains("--timeout");
  }
}
