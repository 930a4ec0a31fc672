package io.wharfmq.interop;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.tools.command.MQAdminStartup;

/**
 * Runs Apache RocketMQ's {@code mqadmin} (MQAdminStartup from rocketmq-tools) in this JVM and
 * captures what it prints. MQAdminStartup never calls System.exit; a failing command prints its
 * exception's stack trace to System.err, which is captured too. One command at a time
 * (System.out/err are process-wide).
 */
final class MqAdmin {
  private MqAdmin() {}

  /** What one command printed. */
  record Output(String out, String err) {
    /** Both streams, for assertions on a message that may go to either. */
    String all() {
      return out + err;
    }

    @Override
    public String toString() {
      return "stdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  static synchronized Output run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      MQAdminStartup.main0(args, NO_HOOK);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.clearProperty(MixAll.NAMESRV_ADDR_PROPERTY);
    }
    Output result =
        new Output(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    oldOut.println("mqadmin " + String.join(" ", args) + "\n" + result);
    return result;
  }

  private static final RPCHook NO_HOOK =
      new RPCHook() {
        @Override
        public void doBeforeRequest(String remoteAddr, RemotingCommand request) {}

        @Override
        public void doAfterResponse(
            String remoteAddr, RemotingCommand request, RemotingCommand response) {}
      };
}
