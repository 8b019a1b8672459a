package dev.zerokube.e2e.netns;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the summary line of iputils ping ("10 packets transmitted, 7 received, ..."). */
final class PingSummary {
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");

    private PingSummary() {
    }

    /** Replies received, or 0 when ping printed no summary (e.g. network unreachable). */
    static int received(String pingOutput) {
        Matcher m = SUMMARY.matcher(pingOutput);
        return m.find() ? Integer.parseInt(m.group(2)) : 0;
    }
}
