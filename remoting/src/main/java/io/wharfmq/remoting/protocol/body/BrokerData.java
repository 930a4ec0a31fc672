package io.wharfmq.remoting.protocol.body;

import java.util.Map;

/** A broker group's addresses by broker id; "0" is the master (RocketMQ BrokerData). */
public record BrokerData(
    String cluster,
    String brokerName,
    Map<String, String> brokerAddrs,
    boolean enableActingMaster) {

  /** The master's address, or null. */
  public String masterAddress() {
    return brokerAddrs == null ? null : brokerAddrs.get("0");
  }
}
