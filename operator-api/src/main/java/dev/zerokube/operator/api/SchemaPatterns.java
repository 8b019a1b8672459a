package dev.zerokube.operator.api;

/**
 * Regular expressions used in the CRD schemas, in the common subset of Go's RE2 (what the API
 * server runs) and {@code java.util.regex}: no look-around, no back-references. OpenAPI patterns
 * are unanchored, so each one carries its own {@code ^...$}.
 */
public final class SchemaPatterns {

  /** A node's ZeroTier address: 40 bits as 10 lowercase hex digits (the form ZeroTier prints). */
  public static final String ADDRESS = "^[0-9a-f]{10}$";

  /** A network ID: the controller's address followed by 24 bits, 16 lowercase hex digits. */
  public static final String NETWORK_ID = "^[0-9a-f]{16}$";

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final String V4 = OCTET + "\\." + OCTET + "\\." + OCTET + "\\." + OCTET;
  private static final String H = "[0-9a-fA-F]{1,4}";
  // RFC 4291 text forms in hexadecimal: full, and "::" standing for one or more zero groups.
  // Forms with an embedded dotted IPv4 tail and zone suffixes are not accepted.
  private static final String V6 = "("
      + "(" + H + ":){7}" + H
      + "|(" + H + ":){1,7}:"
      + "|(" + H + ":){1,6}:" + H
      + "|(" + H + ":){1,5}(:" + H + "){1,2}"
      + "|(" + H + ":){1,4}(:" + H + "){1,3}"
      + "|(" + H + ":){1,3}(:" + H + "){1,4}"
      + "|(" + H + ":){1,2}(:" + H + "){1,5}"
      + "|" + H + ":(:" + H + "){1,6}"
      + "|:((:" + H + "){1,7}|:)"
      + ")";

  /** A dotted-quad IPv4 address without leading zeros, e.g. {@code 10.147.17.1}. */
  public static final String IPV4 = "^" + V4 + "$";

  /** An IPv4 or IPv6 address (IPv6 in hexadecimal notation), without prefix length or port. */
  public static final String IP = "^(" + V4 + "|" + V6 + ")$";

  /** An IPv4 or IPv6 network in CIDR notation, e.g. {@code 10.147.17.0/24} or {@code fd00::/8}. */
  public static final String CIDR =
      "^(" + V4 + "/(3[0-2]|[12]?[0-9])|" + V6 + "/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))$";

  /** The longest text form of an address these patterns accept (IPv6, 8 groups of 4 digits). */
  public static final int IP_LENGTH_MAX = 39;

  /** The longest CIDR these patterns accept. */
  public static final int CIDR_LENGTH_MAX = IP_LENGTH_MAX + 4;

  /** A DNS-1123 subdomain: the names of Kubernetes objects such as ZeroTierNetwork and Pod. */
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A DNS domain name as ZeroTier pushes it to members (letters, digits, hyphens, dots). */
  public static final String DNS_DOMAIN =
      "^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*\\.?$";

  /** A physical path as ZeroTier prints it: {@code ip/port}. */
  public static final String PHYSICAL_ADDRESS = "^(" + V4 + "|" + V6 + ")/[0-9]{1,5}$";

  /** A ZeroTier version, {@code major.minor.revision}. */
  public static final String VERSION = "^[0-9]{1,5}\\.[0-9]{1,5}\\.[0-9]{1,5}$";

  /** An HTTPS URL (the join endpoint of another cluster). */
  public static final String HTTPS_URL = "^https://[^\\s/?#]+[^\\s]*$";

  /** A condition type as metav1.Condition allows it: CamelCase, optionally prefixed by a domain. */
  public static final String CONDITION_TYPE =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
          + "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";

  /** A condition reason as metav1.Condition allows it: CamelCase, no spaces. */
  public static final String CONDITION_REASON = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";

  private SchemaPatterns() {}
}
