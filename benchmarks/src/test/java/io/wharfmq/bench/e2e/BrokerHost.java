package io.wharfmq.bench.e2e;

import io.wharfmq.store.StoreConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Main class of a broker child JVM: {@code BrokerHost wharf|rocketmq|rocketmq-pop[-acl] ASYNC|SYNC
 * <dataDir>} ({@code -acl}: access control on, see {@link BenchSecurity}). Starts a name server and
 * a broker, prints {@code READY <namesrvAddr> <brokerAddr>} on stdout, serves until stdin reaches
 * end of file (the parent closes it, or dies), then shuts both down and prints {@code STOPPED}. The
 * parent deletes the data directory.
 */
public final class BrokerHost {
  /** Key-index size, the same for both brokers (defaults would make each fresh index 420 MB). */
  record IndexSize(int hashSlots, int entries) {
    static final IndexSize BENCH = new IndexSize(1_000_000, 4_000_000);
  }

  private BrokerHost() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println(
          "usage: BrokerHost wharf|rocketmq|rocketmq-pop[-acl] ASYNC|SYNC <dataDir>");
      System.exit(2);
    }
    StoreConfig.FlushMode flush = StoreConfig.FlushMode.valueOf(args[1]);
    Path dir = Path.of(args[2]);
    BenchSecurity security = BenchSecurity.of(args[0]);
    boolean sync = flush == StoreConfig.FlushMode.SYNC;
    HostedBroker broker =
        switch (BenchSecurity.product(args[0])) {
          case "wharf" -> new WharfHost(dir, flush, IndexSize.BENCH, security);
          case "rocketmq" -> new RocketMqHost(dir, sync, IndexSize.BENCH, false, security);
            // POP needs RocketMQ's timer wheel (invisibility and revive run on it).
          case "rocketmq-pop" -> new RocketMqHost(dir, sync, IndexSize.BENCH, true, security);
          default -> throw new IllegalArgumentException("unknown broker kind " + args[0]);
        };
    System.out.println("READY " + broker.namesrvAddr() + " " + broker.brokerAddr());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      // Nothing to do with input; end of file is the stop signal.
    }
    broker.shutdown();
    System.out.println("STOPPED");
    System.out.flush();
    // RocketMQ leaves non-daemon threads behind after shutdown().
    System.exit(0);
  }
}
