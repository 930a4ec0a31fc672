package io.wharfmq.launcher;

import io.wharfmq.amqp.sasl.PasswordHash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/wharf passwd NAME}: prints the amqpUsersFile line for a user, the password read from
 * the terminal (asked twice, not echoed) or from the first line of standard input, never from the
 * command line (which other users of the machine can see). Stateless.
 */
@Command(
    name = "passwd",
    description = {
      "Prints a line for amqpUsersFile: NAME and a salted PBKDF2-HMAC-SHA256 hash of the password.",
      "The password is read from the terminal, or from the first line of standard input:",
      "  bin/wharf passwd alice >> conf/amqp-users",
      "  printf '%s\\n' \"$PW\" | bin/wharf passwd alice >> conf/amqp-users"
    })
final class PasswdCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "The user name.")
  String name;

  @Option(
      names = "--iterations",
      paramLabel = "N",
      description =
          "PBKDF2 iterations (cost of a guess); default " + PasswordHash.DEFAULT_ITERATIONS)
  int iterations = PasswordHash.DEFAULT_ITERATIONS;

  @Override
  public Integer call() throws IOException {
    try {
      PasswordHash.checkUser(name);
    } catch (IllegalArgumentException e) {
      System.err.println("wharf passwd: " + e.getMessage());
      return Wharf.EXIT_CONFIG;
    }
    if (iterations < PasswordHash.MIN_ITERATIONS) {
      System.err.println(
          "wharf passwd: --iterations must be at least " + PasswordHash.MIN_ITERATIONS);
      return Wharf.EXIT_CONFIG;
    }
    char[] password = readPassword();
    if (password == null || password.length == 0) {
      System.err.println("wharf passwd: no password given (empty, or the two entries differ)");
      return Wharf.EXIT_CONFIG;
    }
    try {
      System.out.println(
          PasswordHash.create(name, password, iterations, new SecureRandom()).line());
    } finally {
      Arrays.fill(password, '\0');
    }
    return 0;
  }

  private static char[] readPassword() throws IOException {
    Console console = System.console();
    if (console != null) {
      char[] first = console.readPassword("Password: ");
      char[] again = console.readPassword("Again: ");
      if (first == null || !Arrays.equals(first, again)) {
        return null;
      }
      if (again != null) {
        Arrays.fill(again, '\0');
      }
      return first;
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = in.readLine();
    return line == null ? null : line.toCharArray();
  }
}
