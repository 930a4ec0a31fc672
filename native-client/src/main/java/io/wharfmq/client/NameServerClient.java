package io.wharfmq.client;

import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.netty.RemotingException;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
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
    ClientException last = null;
    for (int attempt = 0; attempt < addresses.size(); attempt++) {
      int index = current.get();
      String address = addresses.get(Math.floorMod(index, addresses.size()));
      RemotingCommand request =
          RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC).put("topic", topic);
      try {
        RemotingCommand r = remoting.invokeSync(address, request, timeoutMillis);
        if (r.code() == ResponseCode.TOPIC_NOT_EXIST) {
          return null;
        }
        if (r.code() != ResponseCode.SUCCESS || r.body() == null) {
          throw new ClientException(r.code(), "route of " + topic + ": " + r.remark());
        }
        return RemotingJson.decode(r.body(), TopicRouteData.class);
      } catch (RemotingException e) {
        log.warn("Name server {} failed ({}); trying the next one", address, e.getMessage());
        last = new ClientException("name server " + address + " failed", e);
        current.compareAndSet(index, index + 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ClientException("interrupted while looking up " + topic, e);
      }
    }
    throw last;
  }
}
