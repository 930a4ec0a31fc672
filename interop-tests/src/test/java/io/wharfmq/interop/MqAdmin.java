package io.wharfmq.interop;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.tools.command.MQAdminStartup;

/**
 * Runs Apache RocketMQ's {@code mqadmin} (MQAdminStartup from rocketmq-tools) and captures what it
 * prints. MQAdminStartup never calls System.exit; a failing command prints its exception's stack
 * trace to System.err, which is captured too. {@link #run} runs in this JVM, one command at a time
 * (System.out/err are process-wide). {@link #runInChildJvm} runs the tool's own main in a new JVM,
 * as an operator does: needed for sendMessage, consumeMessage and queryMsgByUniqueKey, whose
 * command objects keep their client in a field and are registered once per JVM, so a second run in
 * one JVM fails ("SHUTDOWN_ALREADY", or a query on a client already shut down).
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

  static Output run(String... args) {
    return run(NO_HOOK, args);
  }

  /**
   * {@link #run} with {@code hook} on every request (AclClientRPCHook for a broker with ACL on).
   */
  static synchronized Output run(RPCHook hook, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      MQAdminStartup.main0(args, hook);
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

  /** Runs {@code mqadmin args} in a new JVM (at most 90 s); its files go to {@code workDir}. */
  static Output runInChildJvm(Path workDir, String... args) throws Exception {
    Files.createDirectories(workDir);
    Path out = Files.createTempFile(workDir, "mqadmin", ".out");
    Path err = Files.createTempFile(workDir, "mqadmin", ".err");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx128m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Duser.home=" + workDir);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MQAdminStartup.class.getName());
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .directory(workDir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("mqadmin " + String.join(" ", args) + " still running after 90 s");
    }
    Output result =
        new Output(
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    System.out.println("mqadmin (child JVM) " + String.join(" ", args) + "\n" + result);
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
