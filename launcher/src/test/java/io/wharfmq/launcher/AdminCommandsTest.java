package io.wharfmq.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.client.Message;
import io.wharfmq.client.Producer;
import io.wharfmq.client.SendResult;
import io.wharfmq.namesrv.NameServer;
import io.wharfmq.namesrv.NamesrvConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code wharf admin} against a real name server and broker. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminCommandsTest {
  @TempDir Path dir;
  NameServer namesrv;
  Broker broker;
  String ns;

  @BeforeEach
  void start() throws Exception {
    namesrv = new NameServer(new NamesrvConfig().listenPort(0).bindAddress("127.0.0.1"));
    namesrv.start();
    ns = "127.0.0.1:" + namesrv.port();
    BrokerConfig config =
        new BrokerConfig(dir).listenPort(0).bindAddress("127.0.0.1").namesrvAddr(ns);
    config.store().mappedFileSizeCommitLog(16 * 1024 * 1024).maxHashSlotNum(256).maxIndexNum(4000);
    broker = Broker.start(config, InstantSource.system());
    broker.registerNow();
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
    namesrv.shutdown();
  }

  record Run(int code, String out, String err) {}

  Run admin(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      String[] full = new String[args.length + 2];
      full[0] = "admin";
      full[1] = args[0];
      full[2] = "--namesrv=" + ns;
      System.arraycopy(args, 1, full, 3, args.length - 1);
      code = new CommandLine(new Wharf()).execute(full);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void topicsRoutesOffsetsLagAndQueries() throws Exception {
    Run created = admin("create-topic", "--topic", "Audit", "--queues", "2");
    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out()).contains("created Audit with 2 queues");
    assertThat(admin("topics").out()).contains("Audit").contains("TBW102");
    assertThat(admin("route", "--topic", "Audit").out()).contains("read=2 write=2 perm=6");

    SendResult sent;
    try (Producer p = Producer.builder().namesrvAddr(ns).producerGroup("pg").build()) {
      sent =
          p.send(
              Message.builder("Audit")
                  .keys("order-42")
                  .body("hello".getBytes(StandardCharsets.UTF_8))
                  .build());
      p.send(Message.of("Audit", "two".getBytes(StandardCharsets.UTF_8)));
    }
    broker.store().awaitDispatched(java.time.Duration.ofSeconds(5));
    Run offsets = admin("offsets", "--topic", "Audit");
    assertThat(offsets.out()).contains("broker queue min max");
    Run lag = admin("lag", "--topic", "Audit", "--group", "nobody");
    assertThat(lag.out()).contains("total lag 2");
    // As Apache RocketMQ: only a group the broker knows can be reset.
    Run unknown = admin("reset-offset", "--topic", "Audit", "--group", "nobody", "--time", "end");
    assertThat(unknown.code()).isNotZero();
    assertThat(unknown.err()).contains("Group nobody does not exist");
    assertThat(admin("update-group", "--group", "nobody").code()).isZero();
    Run reset = admin("reset-offset", "--topic", "Audit", "--group", "nobody", "--time", "end");
    assertThat(reset.code()).as(reset.err()).isZero();
    assertThat(reset.out()).contains("offsetTable");
    assertThat(admin("lag", "--topic", "Audit", "--group", "nobody").out()).contains("total lag 0");
    assertThat(
            admin("reset-offset", "--topic", "Audit", "--group", "g", "--time", "yesterday").err())
        .contains("ISO-8601");

    Run byKey = admin("query", "--topic", "Audit", "--key", "order-42");
    assertThat(byKey.code()).isZero();
    assertThat(byKey.out()).contains("body=hello").contains("keys=order-42");
    Run byId = admin("query", "--topic", "Audit", "--id", sent.msgId());
    assertThat(byId.out()).contains("msgId=" + sent.msgId());
    Run none = admin("query", "--topic", "Audit", "--key", "nope");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).contains("no message found");

    assertThat(admin("delete-topic", "--topic", "Audit").code()).isZero();
    broker.registerNow();
    Run gone = admin("route", "--topic", "Audit");
    assertThat(gone.code()).isEqualTo(1);
    assertThat(gone.err()).contains("no route for topic Audit");
  }

  @Test
  void deadLettersAreSentBackToTheirOriginalTopic() throws Exception {
    SendResult sent;
    try (Producer p = Producer.builder().namesrvAddr(ns).producerGroup("pg").build()) {
      sent =
          p.send(
              Message.builder("Work")
                  .keys("job-7")
                  .property("customer", "c9")
                  .body("job".getBytes(StandardCharsets.UTF_8))
                  .build());
    }
    io.wharfmq.remoting.netty.RemotingClient rc = new io.wharfmq.remoting.netty.RemotingClient("t");
    try {
      var back =
          rc.invokeSync(
              broker.address(),
              io.wharfmq.remoting.protocol.RemotingCommand.request(
                      io.wharfmq.remoting.protocol.RequestCode.CONSUMER_SEND_MSG_BACK)
                  .put("group", "workers")
                  .put(
                      "offset",
                      io.wharfmq.remoting.protocol.MessageIds.decode(sent.offsetMsgId())
                          .physicalOffset())
                  .put("delayLevel", -1),
              5000);
      assertThat(back.code()).isZero();
    } finally {
      rc.shutdown();
    }
    broker.registerNow();
    broker.store().awaitDispatched(java.time.Duration.ofSeconds(5));
    Run resend = admin("resend-dlq", "--group", "workers");
    assertThat(resend.code()).as(resend.err()).isZero();
    assertThat(resend.out()).contains("resent 1 message(s) from %DLQ%workers");
    broker.store().awaitDispatched(java.time.Duration.ofSeconds(5));
    long total = 0;
    for (int q : broker.store().queueIds("Work")) {
      total += broker.store().maxOffset("Work", q);
    }
    assertThat(total).isEqualTo(2);
    Run again = admin("resend-dlq", "--group", "workers");
    assertThat(again.out()).contains("resent 0 message(s)");
    assertThat(admin("query", "--topic", "Work", "--key", "job-7").out())
        .contains("body=job")
        .hasLineCount(2);
  }

  @Test
  void groupsTheirSettingsProgressAndTheCluster() throws Exception {
    Run created =
        admin(
            "update-group",
            "--group",
            "readers",
            "--retry-max-times",
            "4",
            "--consume-enable",
            "false");
    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out()).contains("created group readers on " + broker.address());
    assertThat(admin("group", "--group", "readers").out())
        .contains("\"retryMaxTimes\" : 4")
        .contains("\"consumeEnable\" : false");
    assertThat(admin("update-group", "--group", "readers", "--consume-enable", "true").out())
        .contains("updated group readers")
        .contains("consumeEnable=true retryMaxTimes=4");
    assertThat(admin("groups").out())
        .contains(broker.address() + " readers true 4 1 false")
        .contains("TOOLS_CONSUMER");

    assertThat(admin("create-topic", "--topic", "Ledger", "--queues", "2").code()).isZero();
    try (Producer p = Producer.builder().namesrvAddr(ns).producerGroup("pg").build()) {
      for (int i = 0; i < 3; i++) {
        p.send(Message.of("Ledger", ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
      broker.store().awaitDispatched(java.time.Duration.ofSeconds(5));
      assertThat(
              admin("reset-offset", "--topic", "Ledger", "--group", "readers", "--time", "end")
                  .code())
          .isZero();
      for (int i = 3; i < 5; i++) {
        p.send(Message.of("Ledger", ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
    broker.store().awaitDispatched(java.time.Duration.ofSeconds(5));
    Run progress = admin("progress", "--group", "readers", "--topic", "Ledger");
    assertThat(progress.code()).as(progress.err()).isZero();
    assertThat(progress.out()).contains("Ledger broker-a 0 ").contains("total lag 2");

    assertThat(admin("cluster").out())
        .contains("DefaultCluster broker-a 0 " + broker.address() + " V5_3_1");

    assertThat(admin("delete-group", "--group", "readers").code()).isZero();
    Run gone = admin("group", "--group", "readers");
    assertThat(gone.code()).isEqualTo(1);
    assertThat(gone.err()).contains("no broker has group readers");
  }
}
