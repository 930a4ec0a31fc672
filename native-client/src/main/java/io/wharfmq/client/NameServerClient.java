package io.wharfmq.client;

import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.netty.RemotingException;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.ClusterInfo;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route lookups against the name servers of "a:1;b:2": starts at a random one, sticks with it while
 * it answers, and moves to the next when it does not. Thread-safe.
 */
final class NameServerClient {
  private static final Logger log = LoggerFactory.getLogger(NameServerClient.class);

  private final List<String> addresses;
  private final RemotingClient remoting;
  private final long timeoutMillis;
  private final AtomicInteger current;

  NameServerClient(String namesrvAddr, RemotingClient remoting, long timeoutMillis) {
    this.addresses = parse(namesrvAddr);
    this.remoting = remoting;
    this.timeoutMillis = timeoutMillis;
    this.current = new AtomicInteger(ThreadLocalRandom.current().nextInt(addresses.size()));
  }

  static List<String> parse(String namesrvAddr) {
    List<String> out = new ArrayList<>();
    if (namesrvAddr != null) {
      for (String s : namesrvAddr.split(";")) {
        String a = s.trim();
        if (!a.isEmpty()) {
          if (!a.matches("[^:]+:\\d{1,5}")) {
            throw new IllegalArgumentException(
                "namesrvAddr entries must be host:port separated by ';', got '" + a + "'");
          }
          out.add(a);
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("namesrvAddr must name at least one name server");
    }
    return List.copyOf(out);
  }

  /**
   * The route of {@code topic}, or null when no name server knows it.
   *
   * @throws ClientException when no name server answers
   */
  TopicRouteData route(String topic) {
    RemotingCommand r =
        invoke(
            () -> RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC).put("topic", topic),
            "route of " + topic);
    if (r.code() == ResponseCode.TOPIC_NOT_EXIST) {
      return null;
    }
    if (r.code() != ResponseCode.SUCCESS || r.body() == null) {
      throw new ClientException(r.code(), "route of " + topic + ": " + r.remark());
    }
    return RemotingJson.decode(r.body(), TopicRouteData.class);
  }

  /**
   * Every broker group the name server knows, by cluster.
   *
   * @throws ClientException when no name server answers, or one refuses
   */
  ClusterInfo clusterInfo() {
    RemotingCommand r =
        BrokerProxy.expect(
            invoke(
                () -> RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_INFO), "cluster info"),
            "GET_BROKER_CLUSTER_INFO");
    return RemotingJson.decode(r.body(), ClusterInfo.class);
  }

  /**
   * Removes the topic's route from every name server (DELETE_TOPIC_IN_NAMESRV); a broker that still
   * has the topic registers it again.
   */
  void deleteTopic(String topic) {
    for (String address : addresses) {
      RemotingCommand request =
          RemotingCommand.request(RequestCode.DELETE_TOPIC_IN_NAMESRV).put("topic", topic);
      try {
        BrokerProxy.expect(
            remoting.invokeSync(address, request, timeoutMillis), "DELETE_TOPIC_IN_NAMESRV");
      } catch (RemotingException e) {
        throw new ClientException("name server " + address + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ClientException("interrupted while deleting " + topic, e);
      }
    }
  }

  /** Sends to the current name server, moving on to the next one while they fail. */
  private RemotingCommand invoke(Supplier<RemotingCommand> request, String what) {
    ClientException last = null;
    for (int attempt = 0; attempt < addresses.size(); attempt++) {
      int index = current.get();
      String address = addresses.get(Math.floorMod(index, addresses.size()));
      try {
        return remoting.invokeSync(address, request.get(), timeoutMillis);
      } catch (RemotingException e) {
        log.warn("Name server {} failed ({}); trying the next one", address, e.getMessage());
        last = new ClientException("name server " + address + " failed", e);
        current.compareAndSet(index, index + 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ClientException("interrupted during " + what, e);
      }
    }
    throw last;
  }
}
