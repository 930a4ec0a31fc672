package io.wharfmq.launcher;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * The server commands' log file: everything that goes to stdout also goes to {@code
 * <dir>/logs/<name>.log}, rolled daily and at {@link #MAX_FILE_SIZE} (old files gzipped as {@code
 * <name>.<yyyy-MM-dd>.<n>.log.gz}), kept {@link #MAX_HISTORY_DAYS} days and at most {@link
 * #TOTAL_SIZE_CAP} in all. Added to logback's root logger once the data directory is known (it
 * comes from the configuration, read after logging starts). Not thread-safe: one per command.
 */
final class LogFiles implements AutoCloseable {
  static final String MAX_FILE_SIZE = "100MB";
  static final int MAX_HISTORY_DAYS = 7;
  static final String TOTAL_SIZE_CAP = "1GB";
  static final String PATTERN =
      "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";

  private final RollingFileAppender<ILoggingEvent> appender;
  private final Logger root;

  private LogFiles(RollingFileAppender<ILoggingEvent> appender, Logger root) {
    this.appender = appender;
    this.root = root;
  }

  static Path file(Path dir, String name) {
    return dir.resolve("logs").resolve(name + ".log");
  }

  /** Starts writing the log to {@code <dir>/logs/<name>.log} too. */
  static LogFiles attach(Path dir, String name) {
    return attach(dir, name, MAX_FILE_SIZE, MAX_HISTORY_DAYS, TOTAL_SIZE_CAP);
  }

  /** As {@link #attach(Path, String)} with other limits (tests roll small files). */
  static LogFiles attach(
      Path dir, String name, String maxFileSize, int maxHistoryDays, String totalSizeCap) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Path logs = dir.resolve("logs");
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(ctx);
    appender.setName("wharf-file-" + name);
    appender.setFile(file(dir, name).toString());
    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(ctx);
    policy.setParent(appender);
    policy.setFileNamePattern(logs.resolve(name + ".%d{yyyy-MM-dd}.%i.log.gz").toString());
    policy.setMaxFileSize(FileSize.valueOf(maxFileSize));
    policy.setMaxHistory(maxHistoryDays);
    policy.setTotalSizeCap(FileSize.valueOf(totalSizeCap));
    policy.start();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern(PATTERN);
    encoder.start();
    appender.setRollingPolicy(policy);
    appender.setEncoder(encoder);
    appender.start();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    return new LogFiles(appender, root);
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
