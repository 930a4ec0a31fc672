package io.wharfmq.bench.amqp;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/**
 * Main class of the Artemis child JVM: {@code ArtemisHost <dataDir> <port> SYNC|ASYNC}. Starts an
 * embedded ActiveMQ Artemis with persistence on, security off and one acceptor (AMQP and core) on
 * 127.0.0.1, prints {@code READY <journalType>} on stdout, serves until stdin ends, stops and
 * prints {@code STOPPED}. A stdin line {@code DELETE <queue>} destroys that queue with its messages
 * (answered {@code DELETED <queue>}).
 *
 * <p>SYNC keeps Artemis' defaults: a persistent (non-transactional) send is answered after the
 * journal has synced it ({@code journal-sync-non-transactional=true}), journal type ASYNCIO where
 * libaio is installed, else NIO. ASYNC sets {@code journal-sync-non-transactional=false} (what the
 * issue calls journal-sync-persistent off): answered once written, synced later. Queues are
 * auto-created on first use (Artemis' default address settings).
 */
public final class ArtemisHost {
  private ArtemisHost() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: ArtemisHost <dataDir> <port> SYNC|ASYNC");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int port = Integer.parseInt(args[1]);
    boolean sync =
        switch (args[2]) {
          case "SYNC" -> true;
          case "ASYNC" -> false;
          default -> throw new IllegalArgumentException("SYNC or ASYNC, not " + args[2]);
        };
    Configuration cfg =
        new ConfigurationImpl()
            .setPersistenceEnabled(true)
            .setSecurityEnabled(false)
            .setJMXManagementEnabled(false)
            .setJournalDirectory(dir.resolve("journal").toString())
            .setBindingsDirectory(dir.resolve("bindings").toString())
            .setPagingDirectory(dir.resolve("paging").toString())
            .setLargeMessagesDirectory(dir.resolve("large").toString())
            .setJournalSyncNonTransactional(sync);
    // The default (90 % of the volume) blocks producers on a shared, fuller disk: not the subject.
    cfg.setMaxDiskUsage(100);
    // One acceptor: AMQP with the distribution's credits (bin/bench-amqp), and Artemis' own core
    // protocol for its JMS client (bin/bench-jms); the acceptor tells them apart by their first
    // bytes.
    cfg.addAcceptorConfiguration(
        "amqp",
        "tcp://127.0.0.1:" + port + "?protocols=AMQP,CORE;amqpCredits=1000;amqpLowCredits=300");
    EmbeddedActiveMQ server = new EmbeddedActiveMQ().setConfiguration(cfg);
    server.start();
    System.out.println(
        "READY " + server.getActiveMQServer().getConfiguration().getJournalType().name());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.startsWith("DELETE ")) {
        String queue = line.substring("DELETE ".length());
        try {
          server.getActiveMQServer().destroyQueue(SimpleString.of(queue), null, false, true);
        } catch (Exception e) {
          System.err.println("could not delete queue " + queue + ": " + e);
        }
        System.out.println("DELETED " + queue);
        System.out.flush();
      }
    }
    // End of input is the stop signal.
    server.stop();
    System.out.println("STOPPED");
    System.out.flush();
    System.exit(0);
  }
}
