package dev.zerokube.operator.api.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/**
 * The desired state of a ZeroTierNetwork: the network's configuration as the controller issues it
 * to members (ZeroTier's network record, ZT1-09), plus who may join from this cluster.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ZeroTierNetworkSpec {

  @Default("{}")
  @JsonPropertyDescription("Which network controller serves this network: {mode: Embedded} (default) or "
      + "{mode: External, networkId: ..., joinEndpoint: ...}.")
  private ControllerSpec controller;

  @Size(max = 127)
  @JsonPropertyDescription("The network name ZeroTier clients show (zerotier-cli listnetworks). At most "
      + "127 characters, and ZeroTier truncates names longer than 127 bytes in UTF-8 "
      + "(the webhook warns). Absent: the object's metadata.name.")
  private String displayName;

  @JsonProperty("private")
  @Default("true")
  @JsonPropertyDescription("true (default): members need authorization (Member spec.authorized, or "
      + "admission with autoAuthorizePods) and carry certificates of membership. false: "
      + "a public network that anyone who knows the network ID may join without "
      + "authorization.")
  private Boolean privateNetwork;

  @Default("2800")
  @Min(1280)
  @Max(10000)
  @JsonPropertyDescription("MTU of members' virtual interfaces, in bytes: 1280 to 10000 as ZeroTier allows "
      + "(it clamps other values); default 2800.")
  private Integer mtu;

  @Default("32")
  @Min(0)
  @JsonPropertyDescription("Maximum number of members a multicast or broadcast frame is sent to (default "
      + "32). 0 disables multicast entirely, and with it ARP and IPv6 neighbour "
      + "discovery.")
  private Integer multicastLimit;

  @Default("true")
  @JsonPropertyDescription("Deliver Ethernet broadcast (ff:ff:ff:ff:ff:ff), which IPv4 ARP needs (default "
      + "true).")
  private Boolean enableBroadcast;

  @JsonPropertyDescription("How members get addresses: pools for IPv4 auto-assignment and the IPv6 modes.")
  private IpAssignment ipAssignment;

  @Size(max = 128)
  @JsonPropertyDescription("Routes pushed to members, at most 128 (ZeroTier's limit). Each static or pool "
      + "address should fall inside a route without via; the webhook checks that.")
  private List<Route> routes;

  @JsonPropertyDescription("DNS search domain and servers pushed to members.")
  private Dns dns;

  @Size(max = 65536)
  @JsonPropertyDescription("Flow rules in ZeroTier's rule language (drop, accept, tee, redirect, match "
      + "conditions, and cap and tag declarations), compiled by the operator into the "
      + "rule table members enforce. Absent or empty: accept everything. A rule that "
      + "does not compile is refused by the webhook and reported as Valid=False with "
      + "the line and column; CEL cannot parse it.")
  private String rules;

  @JsonPropertyDescription("Which pods and Member namespaces may join from this cluster. Absent: no pod "
      + "joins and no Member of this network is accepted.")
  private Admission admission;

  public ControllerSpec getController() {
    return controller;
  }

  public void setController(ControllerSpec controller) {
    this.controller = controller;
  }

  public String getDisplayName() {
    return displayName;
  }

  public void setDisplayName(String displayName) {
    this.displayName = displayName;
  }

  public Boolean getPrivate() {
    return privateNetwork;
  }

  public void setPrivate(Boolean privateNetwork) {
    this.privateNetwork = privateNetwork;
  }

  public Integer getMtu() {
    return mtu;
  }

  public void setMtu(Integer mtu) {
    this.mtu = mtu;
  }

  public Integer getMulticastLimit() {
    return multicastLimit;
  }

  public void setMulticastLimit(Integer multicastLimit) {
    this.multicastLimit = multicastLimit;
  }

  public Boolean getEnableBroadcast() {
    return enableBroadcast;
  }

  public void setEnableBroadcast(Boolean enableBroadcast) {
    this.enableBroadcast = enableBroadcast;
  }

  public IpAssignment getIpAssignment() {
    return ipAssignment;
  }

  public void setIpAssignment(IpAssignment ipAssignment) {
    this.ipAssignment = ipAssignment;
  }

  public List<Route> getRoutes() {
    return routes;
  }

  public void setRoutes(List<Route> routes) {
    this.routes = routes;
  }

  public Dns getDns() {
    return dns;
  }

  public void setDns(Dns dns) {
    this.dns = dns;
  }

  public String getRules() {
    return rules;
  }

  public void setRules(String rules) {
    this.rules = rules;
  }

  public Admission getAdmission() {
    return admission;
  }

  public void setAdmission(Admission admission) {
    this.admission = admission;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ZeroTierNetworkSpec that
        && Objects.equals(controller, that.controller)
        && Objects.equals(displayName, that.displayName)
        && Objects.equals(privateNetwork, that.privateNetwork)
        && Objects.equals(mtu, that.mtu)
        && Objects.equals(multicastLimit, that.multicastLimit)
        && Objects.equals(enableBroadcast, that.enableBroadcast)
        && Objects.equals(ipAssignment, that.ipAssignment)
        && Objects.equals(routes, that.routes)
        && Objects.equals(dns, that.dns)
        && Objects.equals(rules, that.rules)
        && Objects.equals(admission, that.admission);
  }

  @Override
  public int hashCode() {
    return Objects.hash(controller, displayName, privateNetwork, mtu, multicastLimit, enableBroadcast,
        ipAssignment, routes, dns, rules, admission);
  }
}
