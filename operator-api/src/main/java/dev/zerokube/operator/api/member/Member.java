package dev.zerokube.operator.api.member;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.zerokube.operator.api.ZerokubeApi;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One ZeroTier node's membership of one network (namespaced). Pod members are created by the
 * operator, named {@code <pod-name>-<network>} and owned by the pod; others (laptops, servers) by an
 * administrator or GitOps. The printer columns are listed in the order {@code kubectl get} shows
 * them; {@code priority = 1} ones only with {@code -o wide}.
 */
@Group(ZerokubeApi.GROUP)
@Version(ZerokubeApi.VERSION)
@Kind("Member")
@Plural("members")
@Singular("member")
@ShortNames("ztmember")
@Categories(ZerokubeApi.CATEGORY)
@JsonClassDescription("One ZeroTier node's membership of a ZeroTierNetwork: its address, whether it "
    + "is authorized, its IP addresses, tags and capabilities. The operator creates one for each pod "
    + "that joins; create others for laptops and servers. The status shows what the controller "
    + "issued and whether the node is online.")
@AdditionalPrinterColumn(name = "Network", jsonPath = ".spec.network",
    getDescription = "The ZeroTierNetwork this member belongs to.")
@AdditionalPrinterColumn(name = "Address", jsonPath = ".spec.address",
    getDescription = "The node's 10-hex-digit ZeroTier address.")
@AdditionalPrinterColumn(name = "IPs", jsonPath = ".status.ipAssignments",
    getDescription = "Addresses the controller issued.")
@AdditionalPrinterColumn(name = "Authorized", type = Type.BOOLEAN, jsonPath = ".spec.authorized",
    getDescription = "Whether the member may use the network.")
@AdditionalPrinterColumn(name = "Online", type = Type.BOOLEAN, jsonPath = ".status.online",
    getDescription = "Whether the node talked to the controller recently.")
@AdditionalPrinterColumn(name = "Ready", priority = 1,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    getDescription = "Whether the member is online with its configuration (condition Ready).")
@AdditionalPrinterColumn(name = "Pod", priority = 1, jsonPath = ".status.pod.name",
    getDescription = "The pod this member belongs to, if any.")
@AdditionalPrinterColumn(name = "Last Seen", type = Type.DATE, priority = 1,
    jsonPath = ".status.lastSeen", getDescription = "When the node last asked for its configuration.")
@AdditionalPrinterColumn(name = "Age", type = Type.DATE, jsonPath = ".metadata.creationTimestamp",
    getDescription = "Time since the object was created.")
public class Member extends CustomResource<MemberSpec, MemberStatus> implements Namespaced {

  @Override
  @Required
  @JsonPropertyDescription("The membership: network, address, authorization, static IPs, bridging, "
      + "tags and capabilities.")
  public MemberSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("Written by the operator: issued IPs, online state, last seen, pod, "
      + "revocation, conditions.")
  public MemberStatus getStatus() {
    return super.getStatus();
  }
}
