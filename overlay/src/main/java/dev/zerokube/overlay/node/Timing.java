package dev.zerokube.overlay.node;

/**
 * ZeroTier 1.14.1's timers and the protocol limits of the same table, in one place
 * (ZT1-07 §9 "Timers and limits", ZT1-02 §1, ZT1-03 §5). Every value is 1.14.1's, named after
 * its {@code ZT_*} constant where it has one; units are in the names. Peers observe most of them
 * (keepalive cadence, path expiry, rate gates), so change none without reading the section cited.
 *
 * <p>Local caps that are ours and not ZeroTier's (peer table size, queue sizes) are in
 * {@link NodeConfig}.
 */
public final class Timing {
    /** "Never": the initial value of every last-time field, far enough from any clock to not overflow. */
    public static final long NEVER_MS = Long.MIN_VALUE / 4;

    /** Background contact tick: roots, active peers, online status ({@code ZT_PING_CHECK_INTERVAL}, ZT1-07 §4.3). */
    public static final long PING_CHECK_INTERVAL_MS = 5_000;
    /** Peer eviction and path garbage collection ({@code ZT_HOUSEKEEPING_PERIOD}, ZT1-07 §1.5). */
    public static final long HOUSEKEEPING_PERIOD_MS = 30_000;
    /** Full HELLO round per processed peer ({@code ZT_PEER_PING_PERIOD}, ZT1-07 §2.7). */
    public static final long PEER_PING_PERIOD_MS = 60_000;
    /** ECHO keepalive on a path we sent nothing on for this long ({@code ZT_PATH_HEARTBEAT_PERIOD}). */
    public static final long PATH_HEARTBEAT_PERIOD_MS = 14_000;
    /** A path is alive while a datagram arrived on it within this ({@code Path::alive}, ZT1-07 §2.1). */
    public static final long PATH_ALIVE_TIMEOUT_MS = PATH_HEARTBEAT_PERIOD_MS + 5_000;
    /** Cap on the age term of {@code Path::quality} (ZT1-07 §2.6). */
    public static final long PATH_QUALITY_AGE_MAX_MS = 10 * PATH_HEARTBEAT_PERIOD_MS;
    /** A peer's path slot expires this long after its last authenticated direct packet ({@code ZT_PEER_PATH_EXPIRATION}). */
    public static final long PEER_PATH_EXPIRATION_MS = 4 * 60_000 + 3_000;
    /** Peer alive/active window; node online window; eviction ({@code ZT_PEER_ACTIVITY_TIMEOUT}). */
    public static final long PEER_ACTIVITY_TIMEOUT_MS = 500_000;
    /** Roots (PLANET/MOON role) with paths are contacted after this much silence: heartbeat × 16 (ZT1-07 §4.3). */
    public static final long UPSTREAM_CONTACT_INTERVAL_MS = PATH_HEARTBEAT_PERIOD_MS * 16;
    /** A pending moon seed (and other always-contact leaves) is contacted at most this often (scale 2, ZT1-07 §4.3). */
    public static final long SEED_CONTACT_INTERVAL_MS = PATH_HEARTBEAT_PERIOD_MS * 2;
    /** Divisor of the staleness term of {@code Peer::relayQuality} (ZT1-07 §4.4). */
    public static final long RELAY_QUALITY_STALENESS_MS = PEER_PING_PERIOD_MS + 1_000;
    /** One confirming HELLO per unknown path per this interval (hard-coded in {@code Peer::received}, ZT1-07 §2.3). */
    public static final long PATH_CONFIRM_INTERVAL_MS = 1_000;
    /** One OK(ECHO) per path per this interval ({@code ZT_PEER_GENERAL_RATE_LIMIT / 6}, ZT1-03 §4.9). */
    public static final long ECHO_REPLY_INTERVAL_MS = 1_000 / 6;
    /** One WHOIS per address per this interval; also the switch timer ({@code ZT_WHOIS_RETRY_DELAY}, ZT1-02 §14). */
    public static final long WHOIS_RETRY_DELAY_MS = 500;
    /** WHOIS send times are forgotten after this ({@code Switch::doTimerTasks}). */
    public static final long WHOIS_REQUEST_FORGET_MS = 2 * WHOIS_RETRY_DELAY_MS;
    /** A non-root answers at most one WHOIS per requesting peer per this ({@code ZT_PEER_WHOIS_RATE_LIMIT}). */
    public static final long PEER_WHOIS_RATE_LIMIT_MS = 100;
    /** Outbound packets wait this long for an identity or a path ({@code ZT_TRANSMIT_QUEUE_TIMEOUT}). */
    public static final long TRANSMIT_QUEUE_TIMEOUT_MS = 5_000;
    /** Inbound packets wait this long for their sender's identity ({@code ZT_RECEIVE_QUEUE_TIMEOUT}). */
    public static final long RECEIVE_QUEUE_TIMEOUT_MS = 5_000;
    /** A relay introduces an unordered pair at most once per this ({@code ZT_MIN_UNITE_INTERVAL}, ZT1-07 §5.3). */
    public static final long MIN_UNITE_INTERVAL_MS = 30_000;
    /** Unite times are forgotten after this ({@code ZT_MIN_UNITE_INTERVAL × 8}). */
    public static final long UNITE_FORGET_MS = 8 * MIN_UNITE_INTERVAL_MS;
    /** Network-proven trust lasts this long ({@code ZT_TRUST_EXPIRATION}): relaying by non-roots, path pushes. */
    public static final long TRUST_EXPIRATION_MS = 600_000;
    /** Inbound PUSH_DIRECT_PATHS within this of the previous one count toward the cutoff ({@code ZT_PUSH_DIRECT_PATHS_CUTOFF_TIME}). */
    public static final long PUSH_DIRECT_PATHS_CUTOFF_TIME_MS = 30_000;
    /** A peer we share a network with gets our direct paths this often while its packets come relayed ({@code ZT_DIRECT_PATH_PUSH_INTERVAL}). */
    public static final long DIRECT_PATH_PUSH_INTERVAL_MS = 15_000;
    /** ... and this often while they come direct ({@code ZT_DIRECT_PATH_PUSH_INTERVAL_HAVEPATH}). */
    public static final long DIRECT_PATH_PUSH_INTERVAL_HAVE_PATH_MS = 120_000;
    /** New-identity HELLOs are verified at most once per source /24 (IPv4) or /48 (IPv6) per this (x86-64 value, ZT1-03 §4.2.3). */
    public static final long IDENTITY_VALIDATION_SOURCE_RATE_LIMIT_MS = 2_000;
    /**
     * A member re-requests its config when the last one is this old, and requests every contact
     * round while it has none ({@code ZT_NETWORK_AUTOCONF_DELAY}, ZT1-09 §1.2).
     */
    public static final long NETWORK_AUTOCONF_DELAY_MS = 60_000;
    /**
     * A member our hosted controller sent a config to may LIKE and GATHER with us for this long even
     * if we are not on its network ({@code ZT_NETWORK_AUTOCONF_DELAY × 3}, ZT1-09 §1.4, ZT1-08 §6).
     */
    public static final long LOCAL_CONTROLLER_AUTHORIZATION_MS = 3 * NETWORK_AUTOCONF_DELAY_MS;
    /** One NETWORK_CREDENTIALS per peer is processed per this ({@code ZT_PEER_CREDENTIALS_RATE_LIMIT}, ZT1-05 §7.6). */
    public static final long PEER_CREDENTIALS_RATE_LIMIT_MS = 1_000;
    /** A push answering ERROR(NEED_MEMBERSHIP_CERTIFICATE) at most per this ({@code ZT_PEER_CREDENTIALS_REQUEST_RATE_LIMIT}, ZT1-05 §7.7). */
    public static final long PEER_CREDENTIALS_REQUEST_RATE_LIMIT_MS = 1_000;
    /** Our credentials are pushed again to a member we send frames to after this ({@code ZT_PEER_ACTIVITY_TIMEOUT}, ZT1-05 §7.7). */
    public static final long CREDENTIALS_REPUSH_PERIOD_MS = PEER_ACTIVITY_TIMEOUT_MS;

    /** A multicast member learned from a LIKE or a gather is forgotten this long after ({@code ZT_MULTICAST_LIKE_EXPIRE}, ZT1-08 §3.4). */
    public static final long MULTICAST_LIKE_EXPIRE_MS = 600_000;
    /** Full LIKE rounds to the always-announce set and per member ({@code ZT_MULTICAST_ANNOUNCE_PERIOD}, ZT1-08 §3.3). */
    public static final long MULTICAST_ANNOUNCE_PERIOD_MS = 60_000;
    /** Explicit gathers for a group with known members at most this often ({@code ZT_MULTICAST_EXPLICIT_GATHER_DELAY}). */
    public static final long MULTICAST_EXPLICIT_GATHER_DELAY_MS = 60_000;
    /** A queued outbound multicast waits this long for members ({@code ZT_MULTICAST_TRANSMIT_TIMEOUT}, ZT1-08 §3.6). */
    public static final long MULTICAST_TRANSMIT_TIMEOUT_MS = 5_000;
    /**
     * zerokube's new-identity gate per source /24 (IPv4) or /48 (IPv6), a deliberate deviation
     * from 1.14.1's one per {@link #IDENTITY_VALIDATION_SOURCE_RATE_LIMIT_MS}: a token bucket of
     * this many checks, refilled one per {@link #IDENTITY_VALIDATION_SOURCE_INTERVAL_MS}. Many
     * pods behind one node IP start at once and 1.14.1 would admit them one per 2 s (each
     * retrying every 5 s, so 100 pods take minutes, ZT1-07 §12 note 7); the bucket admits a
     * burst of new pods at once while a flood of fresh identities from one source network still
     * costs at most this many proofs of work, then four per second (a check costs about 25 ms of
     * one core, so a sustained flood from one source network takes at most a tenth of a core).
     */
    public static final int IDENTITY_VALIDATION_SOURCE_BURST = 128;
    /** Refill period of the new-identity bucket (see {@link #IDENTITY_VALIDATION_SOURCE_BURST}). */
    public static final long IDENTITY_VALIDATION_SOURCE_INTERVAL_MS = 250;
    /** Smallest spacing of background work ({@code ZT_CORE_TIMER_TASK_GRANULARITY}). */
    public static final long CORE_TIMER_TASK_GRANULARITY_MS = 60;

    /** Inbound PUSH_DIRECT_PATHS processed while fewer than this arrived close together ({@code ZT_PUSH_DIRECT_PATHS_CUTOFF_LIMIT}). */
    public static final int PUSH_DIRECT_PATHS_CUTOFF_LIMIT = 8;
    /** Addresses contacted per (scope, family) per PUSH_DIRECT_PATHS ({@code ZT_PUSH_DIRECT_PATHS_MAX_PER_SCOPE_AND_FAMILY}). */
    public static final int PUSH_DIRECT_PATHS_MAX_PER_SCOPE_AND_FAMILY = 8;
    /** Path slots per peer ({@code ZT_MAX_PEER_NETWORK_PATHS}). */
    public static final int PEER_PATHS_MAX = 64;
    /** Config updates reassembled at once per network; a fourth evicts the least recent ({@code ZT_NETWORK_MAX_INCOMING_UPDATES}). */
    public static final int NETWORK_MAX_INCOMING_UPDATES = 3;
    /** Chunks per config update (x86-64 Linux: capacity / 1024 + 1, {@code ZT_NETWORK_MAX_UPDATE_CHUNKS}, ZT1-03 §5). */
    public static final int NETWORK_MAX_UPDATE_CHUNKS = 474;
    /** Queued outbound multicasts per group; the oldest goes first ({@code ZT_TX_QUEUE_SIZE}, ZT1-08 §3.6). */
    public static final int MULTICAST_TX_QUEUE_SIZE = 32;
    /** Recipients of one round of explicit MULTICAST_GATHERs (ZT1-08 §3.5). */
    public static final int MULTICAST_GATHER_RECIPIENTS_MAX = 16;
    /** Active bridges a frame for an unknown MAC goes to ({@code ZT_MAX_BRIDGE_SPAM}, ZT1-08 §2.5). */
    public static final int MAX_BRIDGE_SPAM = 32;
    /** Latency of a path never measured, and of a peer without a path (0xffff, ZT1-07 §2.5). */
    public static final int LATENCY_UNKNOWN = 0xffff;

    private Timing() {}
}
