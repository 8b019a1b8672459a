package dev.zerokube.operator.api.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.zerokube.operator.api.SchemaPatch;
import dev.zerokube.operator.api.SchemaPatterns;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/**
 * spec.dns: the search domain and name servers pushed to members (ZeroTier's network dns object;
 * clients apply it only when allowed to, e.g. zerotier-cli set NWID allowDNS=1).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(value = SchemaPatch.class,
    input = "{\"properties\": {\"servers\": {\"x-kubernetes-list-type\": \"set\"}}}")
public class Dns {

  @Pattern(SchemaPatterns.DNS_DOMAIN)
  @Size(max = 127)
  @JsonPropertyDescription("Search domain for the network, e.g. prod.zt (at most 127 characters, as "
      + "ZeroTier's 128-byte field holds).")
  private String domain;

  @Size(max = 4)
  @JsonPropertyDescription("Name server addresses (IPv4 or IPv6), at most 4, as ZeroTier carries.")
  private List<@Pattern(SchemaPatterns.IP) @Size(max = SchemaPatterns.IP_LENGTH_MAX) String> servers;

  public String getDomain() {
    return domain;
  }

  public void setDomain(String domain) {
    this.domain = domain;
  }

  public List<String> getServers() {
    return servers;
  }

  public void setServers(List<String> servers) {
    this.servers = servers;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dns that
        && Objects.equals(domain, that.domain)
        && Objects.equals(servers, that.servers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(domain, servers);
  }
}
