package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.verbs.ErrorCode;
import dev.zerokube.overlay.wire.verbs.ErrorReply;

/**
 * Why a controller refuses a config request, with the ERROR code a 1.14.1 controller sends for it
 * (ZT1-09 §1.4: {@code NC_ERROR_*} → wire code).
 */
public enum RefusalCode {
    /** No such network. */
    OBJECT_NOT_FOUND(1, ErrorCode.OBJ_NOT_FOUND),
    /** Not authorized, or another key claims a pinned member address. */
    ACCESS_DENIED(2, ErrorCode.NETWORK_ACCESS_DENIED),
    /** The controller failed (1.14.1: could not sign the COM); members see "not found". */
    INTERNAL_SERVER_ERROR(3, ErrorCode.OBJ_NOT_FOUND),
    /** SSO login needed (never produced here: zerokube has no SSO). */
    AUTHENTICATION_REQUIRED(4, ErrorCode.NETWORK_AUTHENTICATION_REQUIRED);

    private final int controllerCode;
    private final ErrorCode wireCode;

    RefusalCode(int controllerCode, ErrorCode wireCode) {
        this.controllerCode = controllerCode;
        this.wireCode = wireCode;
    }

    /** 1.14.1's {@code NC_ERROR_*} number (the vectors' {@code error_code}). */
    public int controllerCode() {
        return controllerCode;
    }

    /** The ERROR code on the wire. */
    public ErrorCode wireCode() {
        return wireCode;
    }

    /**
     * The ERROR reply to a genuine request: in-re NETWORK_CONFIG_REQUEST and its packet id, the code
     * and the network id, no error data. A refused push (request id 0) is never answered.
     */
    public ErrorReply errorReply(long requestPacketId, NetworkId networkId) {
        if (requestPacketId == 0) {
            throw new IllegalArgumentException("request packet id 0 is a push: a refusal of it is not sent");
        }
        return ErrorReply.ofNetworkConfigRequest(requestPacketId, wireCode, networkId, null);
    }
}
