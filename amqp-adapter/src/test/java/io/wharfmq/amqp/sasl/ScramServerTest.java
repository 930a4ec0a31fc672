package io.wharfmq.amqp.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.security.ScramCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The SCRAM-SHA-256 server exchange against RFC 7677's example and its failure cases. */
class ScramServerTest {
  private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
  private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  private static final String CLIENT_FIRST = "n,,n=user,r=" + CLIENT_NONCE;
  private static final String SERVER_FIRST =
      "r=" + CLIENT_NONCE + SERVER_NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
  private static final String CLIENT_FINAL =
      "c=biws,r=" + CLIENT_NONCE + SERVER_NONCE + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
  private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

  private static final ScramCredentials PENCIL =
      ScramCredentials.fromSaltedPassword(
          4096,
          Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="),
          ScramCredentials.saltedPassword(
              "pencil".toCharArray(),
              Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="),
              4096));

  private static final Function<String, ScramCredentials> FAKE =
      name ->
          new ScramCredentials(
              4096,
              ScramCredentials.sha256(name.getBytes(StandardCharsets.UTF_8)),
              new byte[32],
              new byte[32]);

  private static ScramServer server() {
    return new ScramServer(n -> n.equals("user") ? PENCIL : null, FAKE, SERVER_NONCE);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void rfc7677Example() throws Exception {
    ScramServer server = server();
    assertThat(s(server.clientFirst(b(CLIENT_FIRST)))).isEqualTo(SERVER_FIRST);
    assertThat(server.user()).isEqualTo("user");
    assertThat(s(server.clientFinal(b(CLIENT_FINAL)))).isEqualTo(SERVER_FINAL);
  }

  @Test
  void wrongProofFails() throws Exception {
    ScramServer server = server();
    server.clientFirst(b(CLIENT_FIRST));
    String wrong = CLIENT_FINAL.replace("p=dHzb", "p=dHzc");
    assertThatThrownBy(() -> server.clientFinal(b(wrong)))
        .isInstanceOf(ScramServer.ScramException.class)
        .hasMessageContaining("wrong password");
  }

  @Test
  void unknownUserGetsAStableBelievableChallengeAndFailsLikeAWrongPassword() throws Exception {
    String first = s(server().clientFirst(b("n,,n=nobody,r=abc")));
    assertThat(first)
        .matches("r=abc" + java.util.regex.Pattern.quote(SERVER_NONCE) + ",s=.+,i=4096");
    assertThat(s(server().clientFirst(b("n,,n=nobody,r=xyz"))))
        .contains(first.substring(first.indexOf(",s=")));
    ScramServer server = server();
    server.clientFirst(b("n,,n=nobody,r=abc"));
    assertThatThrownBy(
            () ->
                server.clientFinal(
                    b(
                        "c=biws,r=abc"
                            + SERVER_NONCE
                            + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")))
        .hasMessage("wrong password (proof)");
  }

  @Test
  void channelBindingFlags() throws Exception {
    // 'y': the client could bind but believes the server cannot; its binding data is "y,,".
    ScramServer y = server();
    String bare = "n=user,r=" + CLIENT_NONCE;
    String serverFirst = s(y.clientFirst(b("y,," + bare)));
    String withoutProof =
        "c=" + Base64.getEncoder().encodeToString(b("y,,")) + ",r=" + CLIENT_NONCE + SERVER_NONCE;
    byte[] salted =
        ScramCredentials.saltedPassword(
            "pencil".toCharArray(), Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
    byte[] clientKey = ScramCredentials.hmac(salted, "Client Key");
    byte[] signature =
        ScramCredentials.hmac(
            ScramCredentials.sha256(clientKey), b(bare + "," + serverFirst + "," + withoutProof));
    byte[] proof = new byte[32];
    for (int i = 0; i < 32; i++) {
      proof[i] = (byte) (clientKey[i] ^ signature[i]);
    }
    assertThat(
            s(y.clientFinal(b(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)))))
        .startsWith("v=");
    // The binding data must repeat the header the client sent.
    ScramServer mismatch = server();
    mismatch.clientFirst(b("y,," + bare));
    assertThatThrownBy(() -> mismatch.clientFinal(b(CLIENT_FINAL)))
        .hasMessageContaining("channel binding");
    // 'p': the client insists on binding, which Wharf does not offer.
    assertThatThrownBy(() -> server().clientFirst(b("p=tls-unique,,n=user,r=abc")))
        .hasMessageContaining("channel binding");
  }

  @Test
  void malformedMessagesAndReplayedNoncesFail() throws Exception {
    assertThatThrownBy(() -> server().clientFirst(b("n=user,r=abc")))
        .isInstanceOf(ScramServer.ScramException.class);
    assertThatThrownBy(() -> server().clientFirst(b("n,,r=abc,n=user")))
        .isInstanceOf(ScramServer.ScramException.class);
    assertThatThrownBy(() -> server().clientFirst(b("n,a=admin,n=user,r=abc")))
        .hasMessageContaining("authzid");
    ScramServer other = server();
    other.clientFirst(b(CLIENT_FIRST));
    assertThatThrownBy(() -> other.clientFinal(b(CLIENT_FINAL.replace("k0,p=", "k1,p="))))
        .hasMessageContaining("nonce");
    assertThatThrownBy(() -> server().clientFinal(b(CLIENT_FINAL)))
        .hasMessageContaining("out of turn");
  }
}
