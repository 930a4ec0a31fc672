package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.security.Policy;
import io.wharfmq.security.UserRecord;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.remoting.RPCHook;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache RocketMQ 5.3's {@code mqadmin} user and ACL commands (ACL 2.0, request codes 3001-3010)
 * against a Wharf broker, with access control off (unsigned) and on (signed by a super user's
 * AclClientRPCHook, as mqadmin signs with the keys of ROCKETMQ_HOME/conf/tools.yml). What the tool
 * prints is checked, and the broker's permission store is the ground truth.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AclAdminToolInteropTest {
  @TempDir Path dir;
  WharfCluster cluster;
  Broker broker;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void userAndAclCommandsWithAccessControlOff() throws Exception {
    cluster = new WharfCluster(dir);
    broker = cluster.startBroker("broker-a");
    roundTrip(null);
  }

  @Test
  void userAndAclCommandsSignedBySuperUser() throws Exception {
    cluster = new WharfCluster(dir);
    broker =
        cluster.startBroker(
            cluster
                .brokerConfig("broker-a")
                .aclEnable(true)
                .aclInitUser("root")
                .aclInitPassword("root-secret"));
    assertThat(run(null, "listUser", "-b", broker.address()).all()).contains("CODE: 16");
    roundTrip(new AclClientRPCHook(new SessionCredentials("root", "root-secret")));

    // A user with Admin on the cluster, but not super, cannot make a super user.
    broker
        .access()
        .update(
            users -> {
              users.add(
                  UserRecord.create(
                          "ops", "ops-secret", false, broker.access().sealer(), new SecureRandom())
                      .withPolicies(
                          List.of(Policy.parse("Cluster:*", "Admin", "Allow", List.of()))));
              return users;
            });
    RPCHook ops = new AclClientRPCHook(new SessionCredentials("ops", "ops-secret"));
    MqAdmin.Output o =
        run(
            ops,
            "createUser",
            "-b",
            broker.address(),
            "-u",
            "boss",
            "-p",
            "boss-secret",
            "-t",
            "Super");
    assertThat(o.all()).contains("only a super user may create a super user");
    assertThat(broker.access().registry().user("boss")).isEmpty();
  }

  private void roundTrip(RPCHook hook) {
    String addr = broker.address();
    assertThat(ok(hook, "createUser", "-b", addr, "-u", "alice", "-p", "alice-secret"))
        .contains("create user to " + addr + " success");
    String got = ok(hook, "getUser", "-b", addr, "-u", "alice");
    assertThat(got).contains("alice").contains("Normal").contains("enable");
    assertThat(got).doesNotContain("alice-secret");
    assertThat(ok(hook, "listUser", "-b", addr)).contains("alice");
    assertThat(broker.access().registry().passwordMatches("alice", "alice-secret".toCharArray()))
        .isTrue();

    assertThat(
            ok(
                hook,
                "createAcl",
                "-b",
                addr,
                "-s",
                "User:alice",
                "-r",
                "Topic:orders,Group:billing*",
                "-a",
                "Pub,Sub",
                "-i",
                "10.0.0.0/8",
                "-d",
                "Allow"))
        .contains("create acl to " + addr + " success");
    String acl = ok(hook, "getAcl", "-b", addr, "-s", "User:alice");
    assertThat(acl)
        .contains("User:alice")
        .contains("Topic:orders")
        .contains("Group:billing*")
        .contains("10.0.0.0/8")
        .contains("Allow");
    assertThat(ok(hook, "listAcl", "-b", addr, "-s", "alice", "-r", "Group"))
        .contains("Group:billing*")
        .doesNotContain("Topic:orders");
    assertThat(broker.access().registry().user("alice").orElseThrow().policies()).hasSize(2);

    assertThat(ok(hook, "deleteAcl", "-b", addr, "-s", "User:alice", "-r", "Topic:orders"))
        .contains("success");
    assertThat(ok(hook, "getAcl", "-b", addr, "-s", "User:alice"))
        .doesNotContain("Topic:orders")
        .contains("Group:billing*");
    assertThat(ok(hook, "deleteUser", "-b", addr, "-u", "alice")).contains("success");
    assertThat(ok(hook, "listUser", "-b", addr)).doesNotContain("alice");
    assertThat(broker.access().registry().user("alice")).isEmpty();
  }

  private static MqAdmin.Output run(RPCHook hook, String... args) {
    return hook == null ? MqAdmin.run(args) : MqAdmin.run(hook, args);
  }

  private static String ok(RPCHook hook, String... args) {
    MqAdmin.Output o = run(hook, args);
    assertThat(o.err()).as(o.toString()).doesNotContain("Exception");
    return o.out();
  }
}
