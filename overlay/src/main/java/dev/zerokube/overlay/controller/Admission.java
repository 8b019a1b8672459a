package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import java.util.Optional;

/**
 * Whether a requester may have a config, in 1.14.1's order (ZT1-09 §3 step 6; first match wins):
 * the member record says {@code authorized}; else the network is public; else the request
 * presents a join token ({@code a=token:…}) that the network lists with expiry 0 or in the future.
 * The last two authorize automatically and are written into the member record.
 *
 * <p>One deliberate difference (quirk Q5): a member an administrator deauthorized
 * ({@code authorized} false, {@code lastDeauthorizedTime} set) is not authorized automatically
 * again, so deauthorization on a public network is a ban instead of being undone by the member's
 * next request. SSO (1.14.1's gate between authorization and config) is not implemented.
 */
final class Admission {
    private Admission() {}

    /** The outcome of {@link #decide}. */
    sealed interface Verdict {
        /** The record already authorizes the member. */
        record Authorized() implements Verdict {}

        /**
         * The member is authorized by this request.
         *
         * @param credentialType {@code public} or {@code token}
         * @param credential the token, if any
         */
        record AutoAuthorized(String credentialType, Optional<String> credential) implements Verdict {}

        /** Not authorized. */
        record Denied() implements Verdict {}
    }

    static Verdict decide(NetworkRecord network, MemberRecord member, ConfigRequestMetadata metadata, long nowMs) {
        if (member.authorized()) {
            return new Verdict.Authorized();
        }
        if (member.lastDeauthorizedTimeMs() != 0) {
            return new Verdict.Denied();
        }
        if (!network.privateNetwork()) {
            return new Verdict.AutoAuthorized(MemberRecord.CREDENTIAL_TYPE_PUBLIC, Optional.empty());
        }
        Optional<String> token = metadata.authToken();
        if (token.isPresent()) {
            Long expiresMs = network.authTokens().get(token.get());
            if (expiresMs != null && (expiresMs == 0 || expiresMs > nowMs)) {
                return new Verdict.AutoAuthorized(MemberRecord.CREDENTIAL_TYPE_TOKEN, token);
            }
        }
        return new Verdict.Denied();
    }

    /** The member record after an automatic authorization at {@code nowMs}. */
    static MemberRecord apply(Verdict.AutoAuthorized v, MemberRecord member, long nowMs) {
        return member.toBuilder().authorized(true).lastAuthorizedTimeMs(nowMs)
                .lastAuthorizedCredentialType(Optional.of(v.credentialType()))
                .lastAuthorizedCredential(v.credential()).build();
    }
}
