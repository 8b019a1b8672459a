package dev.zerokube.nodeagent.deviceplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.Descriptors;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.DevicePluginApi;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the hand-written gRPC method descriptors say exactly what deviceplugin.proto says (the
 * kubelet matches calls by full method name and decodes by message type). Method: compare every
 * method with the service descriptor protoc compiled from the .proto: name, call type, request
 * and response message types; and no method of the .proto is missing.
 */
class DevicePluginGrpcTest {
    @Test
    void everyMethodMatchesTheProto() {
        check(DevicePluginGrpc.REGISTRATION, "Registration");
        check(DevicePluginGrpc.DEVICE_PLUGIN, "DevicePlugin");
    }

    private static void check(ServiceDescriptor ours, String serviceName) {
        Descriptors.ServiceDescriptor proto = DevicePluginApi.getDescriptor().findServiceByName(serviceName);
        assertNotNull(proto, serviceName);
        assertEquals(proto.getFullName(), ours.getName());
        assertEquals(proto.getMethods().size(), ours.getMethods().size(), serviceName + " method count");
        for (Descriptors.MethodDescriptor m : proto.getMethods()) {
            MethodDescriptor<?, ?> mine = ours.getMethods().stream()
                    .filter(x -> x.getBareMethodName().equals(m.getName())).findFirst().orElseThrow(
                            () -> new AssertionError(serviceName + " lacks " + m.getName()));
            assertEquals(proto.getFullName() + "/" + m.getName(), mine.getFullMethodName());
            MethodDescriptor.MethodType type = m.isServerStreaming()
                    ? (m.isClientStreaming() ? MethodDescriptor.MethodType.BIDI_STREAMING : MethodDescriptor.MethodType.SERVER_STREAMING)
                    : (m.isClientStreaming() ? MethodDescriptor.MethodType.CLIENT_STREAMING : MethodDescriptor.MethodType.UNARY);
            assertEquals(type, mine.getType(), m.getFullName());
            assertEquals(m.getInputType().getFullName(), messageName(mine.getRequestMarshaller()), m.getFullName());
            assertEquals(m.getOutputType().getFullName(), messageName(mine.getResponseMarshaller()), m.getFullName());
        }
        assertEquals(List.of("v1beta1"), List.of(DevicePluginApi.getDescriptor().getPackage()));
    }

    private static String messageName(MethodDescriptor.Marshaller<?> m) {
        Object prototype = ((MethodDescriptor.PrototypeMarshaller<?>) m).getMessagePrototype();
        return ((com.google.protobuf.Message) prototype).getDescriptorForType().getFullName();
    }

    @Test
    void marshallersRoundTrip() {
        var req = dev.zerokube.nodeagent.deviceplugin.v1beta1.RegisterRequest.newBuilder()
                .setVersion("v1beta1").setEndpoint("x.sock").setResourceName("zerokube.dev/tun").build();
        var m = ProtoUtils.marshaller(dev.zerokube.nodeagent.deviceplugin.v1beta1.RegisterRequest.getDefaultInstance());
        assertEquals(req, DevicePluginGrpc.REGISTER.parseRequest(m.stream(req)));
    }
}
