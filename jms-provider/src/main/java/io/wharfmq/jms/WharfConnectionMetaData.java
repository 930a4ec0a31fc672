package io.wharfmq.jms;

import jakarta.jms.ConnectionMetaData;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** What the provider is and which JMSX properties it supports. Immutable. */
final class WharfConnectionMetaData implements ConnectionMetaData {
  static final WharfConnectionMetaData INSTANCE = new WharfConnectionMetaData();

  static final String PROVIDER_VERSION = "0.1.0";

  private WharfConnectionMetaData() {}

  @Override
  public String getJMSVersion() {
    return "3.1";
  }

  @Override
  public int getJMSMajorVersion() {
    return 3;
  }

  @Override
  public int getJMSMinorVersion() {
    return 1;
  }

  @Override
  public String getJMSProviderName() {
    return "Wharf";
  }

  @Override
  public String getProviderVersion() {
    return PROVIDER_VERSION;
  }

  @Override
  public int getProviderMajorVersion() {
    return 0;
  }

  @Override
  public int getProviderMinorVersion() {
    return 1;
  }

  @Override
  public Enumeration<String> getJMSXPropertyNames() {
    return Collections.enumeration(
        List.of("JMSXGroupID", "JMSXGroupSeq", "JMSXDeliveryCount", "JMSXUserID"));
  }
}
