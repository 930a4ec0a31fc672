package io.wharfmq.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessRegistryTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretSealer sealer = new SecretSealer(new byte[32], RANDOM);

  private UserRecord user(String name, Policy... policies) {
    return UserRecord.create(name, "secret-" + name, false, sealer, RANDOM)
        .withPolicies(List.of(policies));
  }

  private static Policy p(String resource, String actions, String decision, String... from) {
    return Policy.parse(resource, actions, decision, List.of(from));
  }

  private static InetAddress ip(String a) throws Exception {
    return InetAddress.getByName(a);
  }

  @Test
  void denyByDefaultAndTheMostSpecificPatternDecides() throws Exception {
    AccessRegistry r =
        new AccessRegistry(
            List.of(
                user(
                    "alice",
                    p("Topic:*", "Sub", "Allow"),
                    p("Topic:orders-*", "Pub,Sub", "Allow"),
                    p("Topic:orders-secret", "Sub", "Deny"),
                    p("Group:g1", "Sub", "Allow"))),
            sealer);
    InetAddress local = ip("127.0.0.1");
    assertThat(r.authorize("alice", Resource.topic("news"), Action.SUB, local).allowed()).isTrue();
    assertThat(r.authorize("alice", Resource.topic("news"), Action.PUB, local).allowed()).isFalse();
    assertThat(r.authorize("alice", Resource.topic("orders-eu"), Action.PUB, local).allowed())
        .isTrue();
    Verdict v = r.authorize("alice", Resource.topic("orders-secret"), Action.SUB, local);
    assertThat(v.allowed()).isFalse();
    assertThat(v.reason()).contains("denied Sub on Topic:orders-secret");
    assertThat(r.authorize("alice", Resource.group("g2"), Action.SUB, local).allowed()).isFalse();
    assertThat(r.authorize("alice", Resource.cluster(), Action.ADMIN, local).allowed()).isFalse();
    assertThat(r.authorize("bob", Resource.topic("news"), Action.SUB, local).reason())
        .isEqualTo("no user 'bob'");
  }

  @Test
  void aDenyWinsATieAndSuperUsersMayDoEverything() throws Exception {
    AccessRegistry r =
        new AccessRegistry(
            List.of(
                user("u", p("Topic:t", "Pub", "Allow"), p("Topic:t", "Pub", "Deny")),
                UserRecord.create("root", "rootpass", true, sealer, RANDOM)),
            sealer);
    assertThat(r.authorize("u", Resource.topic("t"), Action.PUB, ip("::1")).allowed()).isFalse();
    assertThat(r.authorize("root", Resource.cluster(), Action.ADMIN, ip("::1")).allowed()).isTrue();
  }

  @Test
  void sourceRangesRestrictWhereAPermissionApplies() throws Exception {
    AccessRegistry r =
        new AccessRegistry(
            List.of(
                user(
                    "u",
                    p("Topic:t", "Pub", "Allow", "10.0.0.0/8", "192.168.1.*"),
                    p("Queue:q@shop", "Sub", "Allow", "fd00::/8"))),
            sealer);
    assertThat(r.authorize("u", Resource.topic("t"), Action.PUB, ip("10.2.3.4")).allowed())
        .isTrue();
    assertThat(r.authorize("u", Resource.topic("t"), Action.PUB, ip("192.168.1.77")).allowed())
        .isTrue();
    assertThat(r.authorize("u", Resource.topic("t"), Action.PUB, ip("192.168.2.1")).allowed())
        .isFalse();
    assertThat(r.authorize("u", Resource.topic("t"), Action.PUB, null).allowed()).isFalse();
    assertThat(r.authorize("u", Resource.queue("shop", "q"), Action.SUB, ip("fd12::1")).allowed())
        .isTrue();
    assertThat(r.authorize("u", Resource.queue("/", "q"), Action.SUB, ip("fd12::1")).allowed())
        .isFalse();
  }

  @Test
  void passwordsAreCheckedAgainstTheSecretAndTheHash() {
    UserRecord alice = UserRecord.create("alice", "s3cret!", false, sealer, RANDOM);
    AccessRegistry r = new AccessRegistry(List.of(alice), sealer);
    assertThat(r.passwordMatches("alice", "s3cret!".toCharArray())).isTrue();
    assertThat(r.passwordMatches("alice", "wrong!!".toCharArray())).isFalse();
    assertThat(new String(r.signingSecret("alice"), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("s3cret!");
    UserRecord hashOnly = new UserRecord("h", false, true, alice.scram(), null, List.of());
    AccessRegistry r2 = new AccessRegistry(List.of(hashOnly), sealer);
    assertThat(r2.passwordMatches("h", "s3cret!".toCharArray())).isTrue();
    assertThat(r2.signingSecret("h")).isNull();
    AccessRegistry disabled = new AccessRegistry(List.of(alice.withFlags(false, false)), sealer);
    assertThat(disabled.passwordMatches("alice", "s3cret!".toCharArray())).isFalse();
    assertThat(disabled.signingSecret("alice")).isNull();
  }

  @Test
  void aSecretSealedUnderAnotherKeyStopsTheRegistry() {
    UserRecord alice = UserRecord.create("alice", "s3cret!", false, sealer, RANDOM);
    byte[] other = new byte[32];
    other[0] = 1;
    assertThatThrownBy(() -> new AccessRegistry(List.of(alice), new SecretSealer(other, RANDOM)))
        .hasMessageContaining("user 'alice'")
        .hasMessageContaining("does not open with this broker's key");
  }

  @Test
  void theFileRoundTripsAndNamesTheFirstBadPlace() {
    UserRecord alice =
        UserRecord.create("alice", "s3cret!", false, sealer, RANDOM)
            .withPolicies(
                List.of(
                    p("Topic:orders-*", "Pub,Sub", "Allow", "10.0.0.0/8"),
                    p("Queue:*@*", "All", "Deny")));
    byte[] file = AccessFile.write(List.of(alice));
    List<UserRecord> back = AccessFile.read(file);
    assertThat(back).hasSize(1);
    assertThat(back.get(0).policies()).hasToString(alice.policies().toString());
    assertThat(new AccessRegistry(back, sealer).passwordMatches("alice", "s3cret!".toCharArray()))
        .isTrue();

    String text = new String(file, java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(
            () ->
                AccessFile.read(
                    text.replace("Topic:orders-*", "Topik:x")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .hasMessageStartingWith("users[0] (alice).policies[0]: unknown resource type 'Topik'");
    assertThatThrownBy(() -> AccessFile.read("{\"version\":1,\"users\":[".getBytes()))
        .hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> AccessFile.read("{\"version\":7,\"users\":[]}".getBytes()))
        .hasMessageContaining("version 7 is not 1");
  }

  @Test
  void patternsParseAndPrintTheSameWay() {
    for (String s :
        List.of("*", "Topic:a", "Topic:a*", "Topic:*", "Queue:q", "Queue:q@v", "Exchange:*@*")) {
      assertThat(ResourcePattern.parse(s)).hasToString(s);
    }
    assertThatThrownBy(() -> ResourcePattern.parse("Topic:a*b"))
        .hasMessageContaining("'*' may only end a name");
    assertThatThrownBy(() -> SourceRange.parse("example.com"))
        .hasMessageContaining("no host names");
  }
}
