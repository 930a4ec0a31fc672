package io.wharfmq.launcher;

import io.wharfmq.launcher.AdminCommands.AdminFailure;
import io.wharfmq.launcher.GroupCommands.BrokersCommand;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.service.DestinationNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf admin vhost add|list|delete}: Wharf's own request codes 7001-7003
 * (docs/protocol.md), sent to every master the name server knows, or to the one {@code --broker}
 * names. An Apache RocketMQ broker answers them with REQUEST_CODE_NOT_SUPPORTED, which the commands
 * report as such.
 */
@Command(
    name = "vhost",
    description = "Create, list and delete vhosts (AMQP open hostname vhost:NAME).",
    subcommands = {
      VhostCommands.Add.class,
      VhostCommands.ListVhosts.class,
      VhostCommands.Delete.class
    })
final class VhostCommands implements Runnable {
  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  /** WHARF_LIST_VHOSTS's body. */
  record VhostList(List<String> vhosts) {}

  /** Sends a vhost request; an answer other than SUCCESS becomes a one-line failure. */
  static RemotingCommand vhostCall(BrokersCommand cmd, String address, RemotingCommand request)
      throws Exception {
    RemotingCommand r = cmd.call(address, request);
    if (r.code() == ResponseCode.REQUEST_CODE_NOT_SUPPORTED) {
      throw new AdminFailure(
          address
              + " does not serve vhosts (request code "
              + request.code()
              + " not supported): it is not a Wharf broker, or not one with vhosts");
    }
    if (r.code() != ResponseCode.SUCCESS) {
      throw new AdminFailure(address + " answered " + r.code() + ": " + r.remark());
    }
    return r;
  }

  /** Refuses a bad name before anything is sent. */
  static void check(String name) {
    String problem = DestinationNames.vhostProblem(name);
    if (problem != null) {
      throw new AdminFailure(problem);
    }
  }

  @Command(
      name = "add",
      description = "Create a vhost on every broker (nothing happens if it exists).")
  static final class Add extends BrokersCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The vhost.")
    String name;

    @Override
    int execute() throws Exception {
      check(name);
      for (String address : targets()) {
        vhostCall(
            this,
            address,
            RemotingCommand.request(RequestCode.WHARF_CREATE_VHOST).put("vhost", name));
        System.out.println("vhost " + name + " on " + address);
      }
      return 0;
    }
  }

  @Command(
      name = "delete",
      description = "Delete a vhost with its exchanges, queues and messages on every broker.")
  static final class Delete extends BrokersCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The vhost.")
    String name;

    @Override
    int execute() throws Exception {
      check(name);
      if (name.equals(DestinationNames.DEFAULT_VHOST)) {
        throw new AdminFailure("the default vhost / cannot be deleted");
      }
      for (String address : targets()) {
        vhostCall(
            this,
            address,
            RemotingCommand.request(RequestCode.WHARF_DELETE_VHOST).put("vhost", name));
        System.out.println("deleted vhost " + name + " on " + address);
      }
      return 0;
    }
  }

  @Command(name = "list", description = "Every vhost, with the brokers that have it.")
  static final class ListVhosts extends BrokersCommand {
    @Override
    int execute() throws Exception {
      Map<String, List<String>> where = new TreeMap<>(VhostCommands::defaultFirst);
      for (String address : targets()) {
        RemotingCommand r =
            vhostCall(this, address, RemotingCommand.request(RequestCode.WHARF_LIST_VHOSTS));
        VhostList list = RemotingJson.decode(r.body(), VhostList.class);
        for (String v : list.vhosts() == null ? List.<String>of() : list.vhosts()) {
          where.computeIfAbsent(v, k -> new ArrayList<>()).add(address);
        }
      }
      // the name last: it may hold spaces
      System.out.println("brokers vhost");
      for (Map.Entry<String, List<String>> e : where.entrySet()) {
        System.out.println(String.join(",", e.getValue()) + " " + e.getKey());
      }
      return 0;
    }
  }

  private static int defaultFirst(String a, String b) {
    boolean da = a.equals(DestinationNames.DEFAULT_VHOST);
    boolean db = b.equals(DestinationNames.DEFAULT_VHOST);
    return da || db ? Boolean.compare(db, da) : a.compareTo(b);
  }
}
