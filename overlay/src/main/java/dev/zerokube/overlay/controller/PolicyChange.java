package dev.zerokube.overlay.controller;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A change of policy made by someone other than the controller (administrator, operator,
 * another controller instance), to be passed to {@link NetworkController#onPolicyChange}. It is
 * 1.14.1's {@code DB::ChangeListener} as a value (ZT1-09 §5): a store reports one for every save
 * that changed something besides the revision.
 */
public sealed interface PolicyChange {
    /** A network record was created or changed: online members get a fresh config (ZT1-09 §5.2). */
    record NetworkChanged(NetworkRecord network) implements PolicyChange {
        public NetworkChanged {
            Objects.requireNonNull(network, "network");
        }
    }

    /**
     * A member record was created or changed: the member gets a fresh config if online
     * (ZT1-09 §5.3), and if it went from authorized to not authorized its COM is revoked (§5.4).
     *
     * @param before the record before the change, empty if it was created
     * @param after the record after the change
     */
    record MemberChanged(Optional<MemberRecord> before, MemberRecord after) implements PolicyChange {
        public MemberChanged {
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }

        /** Whether this change took the member's authorization away. */
        public boolean deauthorized() {
            return before.isPresent() && before.get().authorized() && !after.authorized();
        }
    }

    /** A member record was deleted: its COM is revoked if it was authorized (ZT1-09 §5.5). */
    record MemberDeleted(MemberRecord before) implements PolicyChange {
        public MemberDeleted {
            Objects.requireNonNull(before, "before");
        }
    }

    /**
     * A network and all its member records were deleted: every member's COM is revoked, authorized
     * or not (ZT1-09 §5.5).
     */
    record NetworkDeleted(NetworkRecord network, List<MemberRecord> members) implements PolicyChange {
        public NetworkDeleted {
            Objects.requireNonNull(network, "network");
            members = List.copyOf(members);
        }
    }
}
