package io.wharfmq.broker.processor;

import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wharf's own vhost administration ({@code bin/wharf admin vhost}): WHARF_CREATE_VHOST (7001),
 * WHARF_DELETE_VHOST (7002), both with header {@code vhost}, and WHARF_LIST_VHOSTS (7003, body
 * {@code {"vhosts":[...]}}), answered by the service's vhost registry (docs/protocol.md, "Wharf's
 * own request codes"). Runs on the manage pool: the service's vhost methods may write state files.
 * Thread-safe.
 */
public final class VhostProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(VhostProcessor.class);

  /** The request codes this processor serves. */
  public static final int[] CODES = {
    RequestCode.WHARF_CREATE_VHOST, RequestCode.WHARF_DELETE_VHOST, RequestCode.WHARF_LIST_VHOSTS
  };

  /** WHARF_LIST_VHOSTS's body. */
  public record VhostList(List<String> vhosts) {}

  private final MessagingService service;

  public VhostProcessor(MessagingService service) {
    this.service = service;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    if (request.code() == RequestCode.WHARF_LIST_VHOSTS) {
      return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
          .body(RemotingJson.encode(new VhostList(service.vhosts())));
    }
    String vhost = Headers.string(request, "vhost");
    String problem = DestinationNames.vhostProblem(vhost);
    if (problem != null) {
      log.warn("vhost request from {} refused: {}", channel.remoteAddress(), problem);
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, problem);
    }
    boolean create = request.code() == RequestCode.WHARF_CREATE_VHOST;
    if (!create && vhost.equals(DestinationNames.DEFAULT_VHOST)) {
      log.warn("deletion of vhost / from {} refused", channel.remoteAddress());
      return RemotingCommand.responseTo(
          request, ResponseCode.NO_PERMISSION, "the default vhost / cannot be deleted");
    }
    Result<Void> r = create ? service.createVhost(vhost) : service.deleteVhost(vhost);
    if (!r.isOk()) {
      log.warn(
          "{} of vhost '{}' from {} refused: {} {}",
          create ? "creation" : "deletion",
          vhost,
          channel.remoteAddress(),
          r.status(),
          r.detail());
      return RemotingCommand.responseTo(request, code(r.status()), r.detail());
    }
    log.info(
        "vhost '{}' {} (from {})", vhost, create ? "created" : "deleted", channel.remoteAddress());
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  /** Refusals: 16 for {@code /}, 1 with the service's reason otherwise (remark). */
  private static int code(Status status) {
    return status == Status.FORBIDDEN ? ResponseCode.NO_PERMISSION : ResponseCode.SYSTEM_ERROR;
  }
}
