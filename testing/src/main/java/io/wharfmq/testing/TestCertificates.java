package io.wharfmq.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority made at test time, and certificates it signs, written as PEM
 * files (certificate, PKCS#8 private key) into a test's directory: what an operator points the
 * {@code tls*Path} keys at. Certificates are for 127.0.0.1 and localhost, valid for a day. Needs
 * BouncyCastle (bcpkix) on the test class path. Not thread-safe.
 */
public final class TestCertificates {
  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

  /** PEM files of one certificate: {@code cert} (the certificate), {@code key} (its key). */
  public record Pem(Path cert, Path key) {}

  private final Path dir;
  private final KeyPair caKeys;
  private final X509Certificate ca;

  /** The PEM file of the CA's certificate, to trust. */
  public Path caCert() {
    return dir.resolve("ca.pem");
  }

  private TestCertificates(Path dir, KeyPair caKeys, X509Certificate ca) {
    this.dir = dir;
    this.caKeys = caKeys;
    this.ca = ca;
  }

  /** A new CA whose certificate is written to {@code dir}/ca.pem. */
  public static TestCertificates authority(Path dir) throws IOException, GeneralSecurityException {
    KeyPair keys = keyPair();
    X500Name name = new X500Name("CN=Wharf test CA");
    X509Certificate ca = sign(name, name, keys.getPublic(), true, keys.getPrivate());
    TestCertificates t = new TestCertificates(dir, keys, ca);
    writePem(t.caCert(), ca);
    return t;
  }

  /** A certificate for 127.0.0.1 and localhost named {@code name}, signed by this CA. */
  public Pem issue(String name) throws IOException, GeneralSecurityException {
    KeyPair keys = keyPair();
    X509Certificate cert =
        sign(
            new X500Name("CN=Wharf test CA"),
            new X500Name("CN=" + name),
            keys.getPublic(),
            false,
            caKeys.getPrivate());
    Pem pem = new Pem(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    writePem(pem.cert(), cert);
    writePem(pem.key(), keys.getPrivate());
    return pem;
  }

  /** The CA's certificate. */
  public X509Certificate caCertificate() {
    return ca;
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(
      X500Name issuer,
      X500Name subject,
      java.security.PublicKey subjectKey,
      boolean isCa,
      PrivateKey signingKey)
      throws GeneralSecurityException, IOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            issuer,
            BigInteger.valueOf(SERIALS.incrementAndGet()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            subject,
            subjectKey);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (isCa) {
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")
              }));
    }
    try {
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey);
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static void writePem(Path file, Object value) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      // A private key goes out as PKCS#8 ("BEGIN PRIVATE KEY"), the form the servers read.
      w.writeObject(value instanceof PrivateKey k ? new PemPkcs8(k) : value);
    }
    Files.writeString(file, out.toString());
  }

  /** A private key in PKCS#8 PEM form. */
  private record PemPkcs8(PrivateKey key)
      implements org.bouncycastle.util.io.pem.PemObjectGenerator {
    @Override
    public org.bouncycastle.util.io.pem.PemObject generate() {
      return new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", key.getEncoded());
    }
  }
}
