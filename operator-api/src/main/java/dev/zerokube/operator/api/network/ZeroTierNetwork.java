package dev.zerokube.operator.api.network;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.zerokube.operator.api.ZerokubeApi;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A ZeroTier virtual network (cluster-scoped). The printer columns are listed in the order
 * {@code kubectl get} shows them; {@code priority = 1} ones only with {@code -o wide}.
 */
@Group(ZerokubeApi.GROUP)
@Version(ZerokubeApi.VERSION)
@Kind("ZeroTierNetwork")
@Plural("zerotiernetworks")
@Singular("zerotiernetwork")
@ShortNames("ztnet")
@Categories(ZerokubeApi.CATEGORY)
@JsonClassDescription("A ZeroTier virtual network: a flat, encrypted Ethernet network that pods, "
    + "nodes and ordinary ZeroTier devices join. The spec is the network's configuration as its "
    + "controller issues it to members; the status carries the network ID, member counts and "
    + "conditions. Members are Member objects in the namespaces spec.admission allows.")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    getDescription = "Whether the network's controller is serving it (condition Ready).")
@AdditionalPrinterColumn(name = "Reason", priority = 1,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    getDescription = "Why the network is or is not Ready.")
@AdditionalPrinterColumn(name = "Network ID", jsonPath = ".status.networkId",
    getDescription = "The network's 16-hex-digit ID, what ZeroTier clients join.")
@AdditionalPrinterColumn(name = "Mode", priority = 1, jsonPath = ".spec.controller.mode",
    getDescription = "Embedded or External controller.")
@AdditionalPrinterColumn(name = "Members", type = Type.INTEGER, jsonPath = ".status.members.total",
    getDescription = "Members of the network.")
@AdditionalPrinterColumn(name = "Authorized", type = Type.INTEGER,
    jsonPath = ".status.members.authorized", getDescription = "Authorized members.")
@AdditionalPrinterColumn(name = "Online", type = Type.INTEGER, priority = 1,
    jsonPath = ".status.members.online", getDescription = "Members seen recently.")
@AdditionalPrinterColumn(name = "Age", type = Type.DATE, jsonPath = ".metadata.creationTimestamp",
    getDescription = "Time since the object was created.")
public class ZeroTierNetwork extends CustomResource<ZeroTierNetworkSpec, ZeroTierNetworkStatus> {

  @Override
  @Required
  @JsonPropertyDescription("The network's configuration: controller, name, MTU, multicast, IP "
      + "assignment, routes, DNS, flow rules and admission of pods.")
  public ZeroTierNetworkSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("Written by the operator: network ID, controller address, member counts, "
      + "conditions.")
  public ZeroTierNetworkStatus getStatus() {
    return super.getStatus();
  }
}
