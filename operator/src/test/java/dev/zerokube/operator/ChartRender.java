package dev.zerokube.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.zerokube.operator.api.WellKnownNames;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Renders helm/zerokube (release "zk" in zerokube-system) with helm-java and parses every object,
 * for the chart tests and for e2e tests that install the chart's objects on a real API server.
 */
public final class ChartRender {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ChartRender() {}

    /** Every object the chart renders with these values; a value the schema refuses throws. */
    public static List<HasMetadata> all(UnaryOperator<TemplateCommand> values) {
        String yaml = values.apply(new Helm(RepositoryRoot.path().resolve("helm/zerokube")).template().withName("zk")
                .withNamespace("zerokube-system")).call();
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            String body = doc.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n")).trim();
            if (!body.isEmpty()) {
                out.add(SERIALIZATION.unmarshal(body, HasMetadata.class));
            }
        }
        return out;
    }

    /** Whether the object belongs to the node agent (NodeAgentChartTest's part of the chart). */
    public static boolean isNodeAgent(HasMetadata o) {
        return "node-agent".equals(o.getMetadata().getLabels().get(WellKnownNames.COMPONENT_LABEL));
    }

    /** The one object of this type, failing if there is not exactly one. */
    public static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> l = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, l.size(), "one " + type.getSimpleName());
        return l.get(0);
    }
}
