package io.wharfmq.broker.processor;

import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the request codes of RocketMQ features Wharf does not have (replication and HA, the
 * controller, RocketMQ 4's ACL 1.0 administration) with REQUEST_CODE_NOT_SUPPORTED and a remark
 * that says why, so that {@code mqadmin haStatus}, {@code getSyncStateSet}, {@code updateAclConfig}
 * and the like print a reason instead of only a number. The remark starts as RocketMQ's own "
 * request type N not supported". Stateless; thread-safe.
 */
public final class UnsupportedFeatureProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(UnsupportedFeatureProcessor.class);

  private static final String NO_REPLICATION =
      "Wharf has no replication yet (no slaves, no HA): every broker is a master with brokerId 0";
  private static final String NO_CONTROLLER =
      "Wharf has no controller and no DLedger (enableControllerMode and enableDLegerCommitLog are"
          + " refused)";
  private static final String NO_ACL =
      "Wharf does not serve RocketMQ 4's ACL 1.0 administration; use ACL 2.0's user and ACL commands"
          + " (mqadmin createUser/createAcl) or bin/wharf admin user/acl, and bin/wharf admin acl"
          + " import for a plain_acl.yml";

  /** Code, its RocketMQ name and why Wharf does not serve it. */
  private static final Map<Integer, String[]> REASONS =
      Map.ofEntries(
          reason(906, "EXCHANGE_BROKER_HA_INFO", NO_REPLICATION),
          reason(907, "GET_BROKER_HA_STATUS", NO_REPLICATION),
          reason(908, "RESET_MASTER_FLUSH_OFFSET", NO_REPLICATION),
          reason(1007, "GET_BROKER_EPOCH_CACHE", NO_REPLICATION),
          reason(1001, "CONTROLLER_ALTER_SYNC_STATE_SET", NO_CONTROLLER),
          reason(1002, "CONTROLLER_ELECT_MASTER", NO_CONTROLLER),
          reason(1003, "CONTROLLER_REGISTER_BROKER", NO_CONTROLLER),
          reason(1004, "CONTROLLER_GET_REPLICA_INFO", NO_CONTROLLER),
          reason(1005, "CONTROLLER_GET_METADATA_INFO", NO_CONTROLLER),
          reason(1006, "CONTROLLER_GET_SYNC_STATE_DATA", NO_CONTROLLER),
          reason(1009, "UPDATE_CONTROLLER_CONFIG", NO_CONTROLLER),
          reason(1010, "GET_CONTROLLER_CONFIG", NO_CONTROLLER),
          reason(1012, "CONTROLLER_GET_NEXT_BROKER_ID", NO_CONTROLLER),
          reason(1013, "CONTROLLER_APPLY_BROKER_ID", NO_CONTROLLER),
          reason(1017, "GET_SYNC_STATE_DATA", NO_CONTROLLER),
          reason(50, "UPDATE_AND_CREATE_ACL_CONFIG", NO_ACL),
          reason(51, "DELETE_ACL_CONFIG", NO_ACL),
          reason(52, "GET_BROKER_CLUSTER_ACL_INFO", NO_ACL),
          reason(53, "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG", NO_ACL),
          reason(54, "GET_BROKER_CLUSTER_ACL_CONFIG", NO_ACL));

  /** Every code this processor answers. */
  public static final int[] CODES = REASONS.keySet().stream().mapToInt(Integer::intValue).toArray();

  private static Map.Entry<Integer, String[]> reason(int code, String name, String why) {
    return Map.entry(code, new String[] {name, why});
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    String[] r = REASONS.get(request.code());
    String remark =
        " request type "
            + request.code()
            + " not supported: "
            + (r == null ? "not a Wharf feature" : r[0] + ": " + r[1]);
    log.warn("{} asked for {}", channel.remoteAddress(), remark.trim());
    return request.isOneway()
        ? null
        : RemotingCommand.responseTo(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, remark);
  }

  @Override
  public boolean runsOnIoThread(RemotingCommand request) {
    return true;
  }
}
