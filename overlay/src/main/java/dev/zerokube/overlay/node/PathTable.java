package dev.zerokube.overlay.node;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.HashMap;
import java.util.Map;

/**
 * The canonical {@link Path} per (local socket, remote endpoint) (1.14.1's {@code Topology::getPath}),
 * bounded. Lookup by the endpoint the host passes in allocates nothing (a hash map keyed by the
 * endpoint, then a short chain per socket). When the table is full, a new path replaces one that
 * no peer slot holds, found by a clock hand over the table, so a flood of datagrams from spoofed
 * endpoints costs O(1) per datagram and cannot grow memory; if every path is held by a peer the
 * new path is not kept (the packet is still processed with a transient path).
 */
final class PathTable {
    private final Map<InetEndpoint, Path> byRemote;
    private final Path[] all;
    private int size;
    private int hand;

    PathTable(int pathsMax) {
        if (pathsMax < 1) {
            throw new IllegalArgumentException("pathsMax " + pathsMax);
        }
        all = new Path[pathsMax];
        byRemote = HashMap.newHashMap(pathsMax);
    }

    /** The canonical path, or null. */
    Path find(long localSocket, InetEndpoint remote) {
        for (Path p = byRemote.get(remote); p != null; p = p.sameRemoteNext) {
            if (p.localSocket == localSocket) {
                return p;
            }
        }
        return null;
    }

    /** The canonical path, created if new (see the class comment for what happens when full). */
    Path getOrCreate(long localSocket, InetEndpoint remote) {
        Path p = find(localSocket, remote);
        if (p != null) {
            return p;
        }
        p = new Path(localSocket, remote);
        if (size == all.length && !evictOne()) {
            return p;
        }
        int index = size++;
        all[index] = p;
        p.tableIndex = index;
        p.sameRemoteNext = byRemote.get(remote);
        byRemote.put(remote, p);
        return p;
    }

    int size() {
        return size;
    }

    int capacity() {
        return all.length;
    }

    /** Drops every path that no peer holds and on which nothing arrived within {@code idleMs}. */
    void dropUnused(long nowMs, long idleMs) {
        for (int i = size - 1; i >= 0; i--) {
            Path p = all[i];
            if (p.slotRefs == 0 && nowMs - p.lastInMs >= idleMs) {
                remove(p);
            }
        }
    }

    private boolean evictOne() {
        for (int n = 0; n < size; n++) {
            hand = (hand + 1) % size;
            if (all[hand].slotRefs == 0) {
                remove(all[hand]);
                return true;
            }
        }
        return false;
    }

    private void remove(Path p) {
        Path head = byRemote.get(p.remote);
        if (head == p) {
            if (p.sameRemoteNext == null) {
                byRemote.remove(p.remote);
            } else {
                byRemote.put(p.remote, p.sameRemoteNext);
            }
        } else {
            for (Path q = head; q != null; q = q.sameRemoteNext) {
                if (q.sameRemoteNext == p) {
                    q.sameRemoteNext = p.sameRemoteNext;
                    break;
                }
            }
        }
        int index = p.tableIndex;
        Path last = all[--size];
        all[index] = last;
        last.tableIndex = index;
        all[size] = null;
        p.tableIndex = -1;
        p.sameRemoteNext = null;
    }
}
