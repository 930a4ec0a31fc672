package io.wharfmq.store.tool;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Offline store tool for operators and tests: dumps commit-log records and consume-queue entries
 * and verifies a data directory. It only reads: it refuses a directory whose store is running, and
 * never creates, changes or deletes a file. Single-threaded.
 *
 * <p>Exit codes: {@link #OK}, {@link #PROBLEMS}, {@link #USAGE}, {@link #FAILED}.
 */
@Command(
    name = "wharf-store",
    mixinStandardHelpOptions = true,
    version = "wharf-store 0.1",
    description = "Reads a Wharf data directory offline (the store must not be running).",
    subcommands = {
      DumpCommand.class,
      VerifyCommand.class,
      CqCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success; for verify: everything consistent",
      "1:verify found problems (each one is printed)",
      "2:usage error, not a data directory, or the directory is in use by a running store",
      "3:unexpected error (I/O failure)"
    })
public final class StoreTool implements Runnable {
  public static final int OK = 0;
  public static final int PROBLEMS = 1;
  public static final int USAGE = 2;
  public static final int FAILED = 3;

  /** Logback configuration that sends any log output to stderr, keeping stdout for the report. */
  private static final String LOG_CONFIG = "io/wharfmq/store/tool/logback-tool.xml";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
  }

  /**
   * A command line with the tool's error handling: a {@link ToolFailure} prints its message and
   * exits with {@link #USAGE}; any other exception prints and exits with {@link #FAILED}.
   */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new StoreTool());
    cmd.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (ex instanceof ToolFailure) {
            err.println("wharf-store: " + ex.getMessage());
            err.flush();
            return USAGE;
          }
          err.println("wharf-store: failed: " + ex);
          ex.printStackTrace(err);
          err.flush();
          return FAILED;
        });
    return cmd;
  }

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOG_CONFIG);
    }
    System.exit(commandLine().execute(args));
  }
}
