package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A member of a network as the controller stores it: the fields of 1.14.1's member JSON object
 * (ZT1-09 §2.2, ZT1-10 §4.5), typed and immutable. {@link ControllerJson} maps the JSON object to
 * and from this record. A record exists for every node that ever asked for a config (denied ones
 * included: that is how pending members appear) and for every member created by an administrator.
 *
 * @param networkId {@code nwid}
 * @param address {@code id}/{@code address}
 * @param revision {@code revision}: +1 on every save that changes another field
 * @param creationTimeMs {@code creationTime}
 * @param identity {@code identity}: the public identity pinned by the first request; a request
 *     with another key for this address is refused
 * @param authorized {@code authorized}
 * @param lastAuthorizedTimeMs {@code lastAuthorizedTime}
 * @param lastDeauthorizedTimeMs {@code lastDeauthorizedTime}
 * @param lastAuthorizedCredentialType {@code lastAuthorizedCredentialType}: {@code api},
 *     {@code public} or {@code token}
 * @param lastAuthorizedCredential {@code lastAuthorizedCredential}: the join token, if any
 * @param activeBridge {@code activeBridge}: listed as a specialist in every member's config
 * @param noAutoAssignIps {@code noAutoAssignIps}: no RFC 4193/6PLANE and no pool addresses
 * @param ipAssignments {@code ipAssignments} in order (plain IPs, port 0; duplicates kept)
 * @param tags {@code tags} in order
 * @param capabilities {@code capabilities}: capability ids in order (32-bit)
 * @param remoteTraceTarget {@code remoteTraceTarget}, {@link Address#NONE} for none
 * @param remoteTraceLevel {@code remoteTraceLevel}
 * @param name {@code name}, when set by an administrator
 * @param clientVersion {@code vMajor}, {@code vMinor}, {@code vRev}, {@code vProto}
 */
public record MemberRecord(
        NetworkId networkId,
        Address address,
        long revision,
        long creationTimeMs,
        Optional<Identity> identity,
        boolean authorized,
        long lastAuthorizedTimeMs,
        long lastDeauthorizedTimeMs,
        Optional<String> lastAuthorizedCredentialType,
        Optional<String> lastAuthorizedCredential,
        boolean activeBridge,
        boolean noAutoAssignIps,
        List<InetEndpoint> ipAssignments,
        List<MemberTag> tags,
        List<Long> capabilities,
        Address remoteTraceTarget,
        long remoteTraceLevel,
        Optional<String> name,
        ClientVersion clientVersion) {

    /** {@code lastAuthorizedCredentialType} of an administrator's authorization. */
    public static final String CREDENTIAL_TYPE_API = "api";
    /** {@code lastAuthorizedCredentialType} of an automatic authorization on a public network. */
    public static final String CREDENTIAL_TYPE_PUBLIC = "public";
    /** {@code lastAuthorizedCredentialType} of an authorization by join token. */
    public static final String CREDENTIAL_TYPE_TOKEN = "token";

    public MemberRecord {
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(address, "address");
        if (address.value() == 0) {
            throw new IllegalArgumentException("member address 0");
        }
        Objects.requireNonNull(identity, "identity");
        identity = identity.map(Identity::publicOnly);
        identity.ifPresent(i -> {
            if (!i.address().equals(address)) {
                throw new IllegalArgumentException("identity " + i.address() + " pinned on member " + address);
            }
        });
        Objects.requireNonNull(lastAuthorizedCredentialType, "lastAuthorizedCredentialType");
        Objects.requireNonNull(lastAuthorizedCredential, "lastAuthorizedCredential");
        ipAssignments = List.copyOf(ipAssignments);
        for (InetEndpoint ip : ipAssignments) {
            if (ip.isNil() || ip.port() != 0) {
                throw new IllegalArgumentException("an IP assignment is a plain IP (port 0): " + ip);
            }
        }
        tags = List.copyOf(tags);
        capabilities = List.copyOf(capabilities);
        capabilities.forEach(c -> NetworkRecord.requireU32(c, "capability id"));
        Objects.requireNonNull(remoteTraceTarget, "remoteTraceTarget");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(clientVersion, "clientVersion");
    }

    /**
     * A member with 1.14.1's defaults ({@code DB::initMember}): not authorized, no identity, no
     * assignments, versions unknown, revision 0.
     */
    public static Builder builder(NetworkId networkId, Address address, long creationTimeMs) {
        return new Builder(networkId, address, creationTimeMs);
    }

    /** A builder holding this record's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** This record with another revision. */
    public MemberRecord withRevision(long r) {
        return toBuilder().revision(r).build();
    }

    /** Whether this and {@code other} are equal in everything but the revision (1.14.1's save rule). */
    public boolean sameIgnoringRevision(MemberRecord other) {
        return withRevision(0).equals(other.withRevision(0));
    }

    /**
     * This member as an administrator's authorization change leaves it (1.14.1's member API,
     * ZT1-09 §2.3): nothing changes unless the flag flips; authorizing sets
     * {@code lastAuthorizedTime}, credential type {@code api} and no credential; deauthorizing sets
     * {@code lastDeauthorizedTime}.
     */
    public MemberRecord withAuthorizedByApi(boolean authorize, long nowMs) {
        if (authorize == authorized) {
            return this;
        }
        Builder b = toBuilder().authorized(authorize);
        if (authorize) {
            b.lastAuthorizedTimeMs(nowMs).lastAuthorizedCredentialType(Optional.of(CREDENTIAL_TYPE_API))
                    .lastAuthorizedCredential(Optional.empty());
        } else {
            b.lastDeauthorizedTimeMs(nowMs);
        }
        return b.build();
    }

    /** Collects a {@link MemberRecord}; {@link #build()} validates. */
    public static final class Builder {
        private NetworkId networkId;
        private Address address;
        private long revision;
        private long creationTimeMs;
        private Optional<Identity> identity = Optional.empty();
        private boolean authorized;
        private long lastAuthorizedTimeMs;
        private long lastDeauthorizedTimeMs;
        private Optional<String> lastAuthorizedCredentialType = Optional.empty();
        private Optional<String> lastAuthorizedCredential = Optional.empty();
        private boolean activeBridge;
        private boolean noAutoAssignIps;
        private List<InetEndpoint> ipAssignments = List.of();
        private List<MemberTag> tags = List.of();
        private List<Long> capabilities = List.of();
        private Address remoteTraceTarget = Address.NONE;
        private long remoteTraceLevel;
        private Optional<String> name = Optional.empty();
        private ClientVersion clientVersion = ClientVersion.UNKNOWN;

        private Builder(NetworkId networkId, Address address, long creationTimeMs) {
            this.networkId = networkId;
            this.address = address;
            this.creationTimeMs = creationTimeMs;
        }

        private Builder(MemberRecord r) {
            networkId = r.networkId;
            address = r.address;
            revision = r.revision;
            creationTimeMs = r.creationTimeMs;
            identity = r.identity;
            authorized = r.authorized;
            lastAuthorizedTimeMs = r.lastAuthorizedTimeMs;
            lastDeauthorizedTimeMs = r.lastDeauthorizedTimeMs;
            lastAuthorizedCredentialType = r.lastAuthorizedCredentialType;
            lastAuthorizedCredential = r.lastAuthorizedCredential;
            activeBridge = r.activeBridge;
            noAutoAssignIps = r.noAutoAssignIps;
            ipAssignments = r.ipAssignments;
            tags = r.tags;
            capabilities = r.capabilities;
            remoteTraceTarget = r.remoteTraceTarget;
            remoteTraceLevel = r.remoteTraceLevel;
            name = r.name;
            clientVersion = r.clientVersion;
        }

        public Builder revision(long v) {
            revision = v;
            return this;
        }

        public Builder creationTimeMs(long v) {
            creationTimeMs = v;
            return this;
        }

        public Builder identity(Optional<Identity> v) {
            identity = v;
            return this;
        }

        public Builder authorized(boolean v) {
            authorized = v;
            return this;
        }

        public Builder lastAuthorizedTimeMs(long v) {
            lastAuthorizedTimeMs = v;
            return this;
        }

        public Builder lastDeauthorizedTimeMs(long v) {
            lastDeauthorizedTimeMs = v;
            return this;
        }

        public Builder lastAuthorizedCredentialType(Optional<String> v) {
            lastAuthorizedCredentialType = v;
            return this;
        }

        public Builder lastAuthorizedCredential(Optional<String> v) {
            lastAuthorizedCredential = v;
            return this;
        }

        public Builder activeBridge(boolean v) {
            activeBridge = v;
            return this;
        }

        public Builder noAutoAssignIps(boolean v) {
            noAutoAssignIps = v;
            return this;
        }

        public Builder ipAssignments(List<InetEndpoint> v) {
            ipAssignments = v;
            return this;
        }

        public Builder tags(List<MemberTag> v) {
            tags = v;
            return this;
        }

        public Builder capabilities(List<Long> v) {
            capabilities = v;
            return this;
        }

        public Builder remoteTraceTarget(Address v) {
            remoteTraceTarget = v;
            return this;
        }

        public Builder remoteTraceLevel(long v) {
            remoteTraceLevel = v;
            return this;
        }

        public Builder name(Optional<String> v) {
            name = v;
            return this;
        }

        public Builder clientVersion(ClientVersion v) {
            clientVersion = v;
            return this;
        }

        public MemberRecord build() {
            return new MemberRecord(networkId, address, revision, creationTimeMs, identity, authorized,
                    lastAuthorizedTimeMs, lastDeauthorizedTimeMs, lastAuthorizedCredentialType,
                    lastAuthorizedCredential, activeBridge, noAutoAssignIps, ipAssignments, tags, capabilities,
                    remoteTraceTarget, remoteTraceLevel, name, clientVersion);
        }
    }
}
