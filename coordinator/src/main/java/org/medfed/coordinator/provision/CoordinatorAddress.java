package org.medfed.coordinator.provision;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code HOST:PORT} sites dial. The host also goes into the coordinator certificate, since a
 * site's TLS hostname check compares it with the certificate's subject alternative names.
 */
record CoordinatorAddress(String host, int port) {
  private static final Pattern FORM =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):([0-9]{1,5})");
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  CoordinatorAddress {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("coordinator host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("coordinator port must be 1 to 65535, got " + port);
    }
  }

  static CoordinatorAddress parse(String text) throws ProvisionException {
    Matcher matcher = FORM.matcher(text);
    if (!matcher.matches()) {
      throw new ProvisionException(
          "coordinator address \"" + text + "\" is not HOST:PORT (IPv6 as [ADDRESS]:PORT)");
    }
    String host = matcher.group(1);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = Integer.parseInt(matcher.group(2));
    if (port < 1 || port > 65535) {
      throw new ProvisionException(
          "coordinator address \"" + text + "\" has port " + port + ", outside 1 to 65535");
    }
    return new CoordinatorAddress(host, port);
  }

  /** Whether the host is an IP literal (a SAN iPAddress) rather than a name (a SAN dNSName). */
  boolean hostIsIpLiteral() {
    return host.contains(":") || IPV4.matcher(host).matches();
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
