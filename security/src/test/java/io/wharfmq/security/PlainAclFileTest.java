package io.wharfmq.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** plain_acl.yml as RocketMQ 4.9 ships it, read as Wharf users and permissions. */
class PlainAclFileTest {
  private static final String SHIPPED =
      """
      globalWhiteRemoteAddresses:
        - 10.10.103.*
        - 192.168.0.*

      accounts:
        - accessKey: RocketMQ
          secretKey: 12345678
          whiteRemoteAddress:
          admin: false
          defaultTopicPerm: DENY
          defaultGroupPerm: SUB
          topicPerms:
            - topicA=DENY
            - topicB=PUB|SUB
            - topicC=SUB
          groupPerms:
            # the group should convert to retry topic
            - groupA=DENY
            - groupB=PUB|SUB
            - groupC=SUB

        - accessKey: rocketmq2
          secretKey: 12345678
          whiteRemoteAddress: 192.168.1.*
          # if it is admin, it could access all resources
          admin: true
      """;

  private final SecretSealer sealer = new SecretSealer(new byte[32], new SecureRandom());

  @Test
  void theShippedSampleBecomesUsersAndPermissions() throws Exception {
    PlainAclFile.Imported in = PlainAclFile.read(SHIPPED, sealer, new SecureRandom());
    assertThat(in.ignoredGlobalWhiteAddresses()).containsExactly("10.10.103.*", "192.168.0.*");
    AccessRegistry r = new AccessRegistry(in.users(), sealer);
    assertThat(r.passwordMatches("RocketMQ", "12345678".toCharArray())).isTrue();
    assertThat(r.user("RocketMQ").orElseThrow().superUser()).isFalse();
    assertThat(r.user("rocketmq2").orElseThrow().superUser()).isTrue();
    InetAddress from = InetAddress.getByName("10.1.1.1");
    assertThat(r.authorize("RocketMQ", Resource.topic("topicB"), Action.PUB, from).allowed())
        .isTrue();
    assertThat(r.authorize("RocketMQ", Resource.topic("topicA"), Action.SUB, from).allowed())
        .isFalse();
    assertThat(r.authorize("RocketMQ", Resource.topic("other"), Action.PUB, from).allowed())
        .isFalse();
    assertThat(r.authorize("RocketMQ", Resource.topic("topicC"), Action.SUB, from).allowed())
        .isTrue();
    assertThat(r.authorize("RocketMQ", Resource.group("any"), Action.SUB, from).allowed()).isTrue();
  }

  @Test
  void aBadPermissionIsNamedByItsPlace() {
    String bad = SHIPPED.replace("topicC=SUB", "topicC=READ");
    assertThatThrownBy(() -> PlainAclFile.read(bad, sealer, new SecureRandom()))
        .hasMessageContaining("accounts[0] (RocketMQ).topicPerms[2]: permission 'READ'");
  }
}
