package io.wharfmq.amqp.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The users-file line format, password checks, bad lines and re-reading a changed file. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UsersFileTest {
  @TempDir Path dir;
  final SecureRandom random = new SecureRandom();

  @Test
  void lineRoundTripsAndHoldsNoPlainText() {
    PasswordHash h = PasswordHash.create("alice", "s3cret".toCharArray(), 1_000, random);
    String line = h.line();
    assertThat(line).startsWith("alice:pbkdf2-sha256:1000:").doesNotContain("s3cret");
    PasswordHash back = PasswordHash.parse(line);
    assertThat(back).isEqualTo(h);
    assertThat(back.matches("s3cret".toCharArray())).isTrue();
    assertThat(back.matches("s3cret ".toCharArray())).isFalse();
    assertThat(back.matches(new char[0])).isFalse();
    // Salted: the same password twice gives two different lines.
    assertThat(PasswordHash.create("alice", "s3cret".toCharArray(), 1_000, random).line())
        .isNotEqualTo(line);
  }

  @Test
  void badLinesAreRefusedNamingTheLine() {
    String good = PasswordHash.create("bob", "pw".toCharArray(), 1_000, random).line();
    assertThatThrownBy(() -> UsersFile.parse("f", List.of("# c", "", "bob:plain:pw")))
        .hasMessageContaining("f line 3")
        .hasMessageContaining("5 fields")
        .hasMessageNotContaining("pw:");
    assertThatThrownBy(() -> UsersFile.parse("f", List.of(good.replace("1000", "10"))))
        .hasMessageContaining("below the minimum");
    assertThatThrownBy(() -> UsersFile.parse("f", List.of(good, good)))
        .hasMessageContaining("line 2")
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> UsersFile.parse("f", List.of(good.replace("pbkdf2-sha256", "md5"))))
        .hasMessageContaining("unknown scheme");
    assertThatThrownBy(() -> PasswordHash.create("a:b", "pw".toCharArray(), 1_000, random))
        .hasMessageContaining("':'");
  }

  @Test
  void changedFileIsReadAgainAndABrokenOneKeepsTheOldUsers() throws Exception {
    Path f = dir.resolve("users");
    Files.writeString(f, PasswordHash.create("a", "1".toCharArray(), 1_000, random).line() + "\n");
    UsersFile users = UsersFile.load(f);
    assertThat(users.user("a")).isNotNull();
    assertThat(users.user("b")).isNull();
    Files.writeString(
        f,
        PasswordHash.create("a", "1".toCharArray(), 1_000, random).line()
            + "\n"
            + PasswordHash.create("b", "2".toCharArray(), 1_000, random).line()
            + "\n");
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
    assertThat(users.user("b").matches("2".toCharArray())).isTrue();
    Files.writeString(f, "garbage\n");
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(10)));
    assertThat(users.size()).isEqualTo(2);
    assertThat(users.user("b")).isNotNull();
  }
}
