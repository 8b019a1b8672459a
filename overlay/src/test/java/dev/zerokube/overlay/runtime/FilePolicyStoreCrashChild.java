package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.MemberWrite;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * The process {@link FilePolicyStoreCrashTest} kills: opens the store in {@code args[0]}, then
 * writes member records forever (creating and changing them through both write paths), printing
 * {@code ack <address> <revision>} after each write has returned. Output {@code ready} once open.
 */
public final class FilePolicyStoreCrashChild {
    static final NetworkId NWID = NetworkId.parse("1d939ff884000001");
    static final int ADDRESSES = 64;

    private FilePolicyStoreCrashChild() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, false);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
        FilePolicyStore store = FilePolicyStore.open(Path.of(args[0]));
        if (!store.problems().isEmpty()) {
            out.println("problems " + store.problems());
            out.flush();
            System.exit(3);
        }
        if (store.network(NWID).isEmpty()) {
            store.putNetwork(NetworkRecord.builder(NWID, 1).name("crash").build());
        }
        out.println("ready");
        out.flush();
        for (long i = 0; ; i++) {
            final long n = i;
            Address a = Address.fromLow40Bits(0x1000000000L + random.nextInt(ADDRESSES));
            Optional<MemberRecord> read = store.member(NWID, a);
            MemberRecord next = read.orElseGet(() -> MemberRecord.builder(NWID, a, n).build()).toBuilder()
                    .authorized(random.nextBoolean()).remoteTraceLevel(n)
                    .ipAssignments(java.util.List.of(InetEndpoint.of(new byte[] {10, 1, (byte) (n >> 8), (byte) n}, 0)))
                    .build();
            long revision;
            if (random.nextBoolean()) {
                store.putMember(next);
                revision = store.member(NWID, a).orElseThrow().revision();
            } else {
                MemberWrite w = store.writeMember(next, read.map(r -> OptionalLong.of(r.revision())).orElse(OptionalLong.empty()));
                revision = w.stored().orElseThrow().revision();
            }
            out.println("ack " + a + " " + revision);
            out.flush();
        }
    }
}
