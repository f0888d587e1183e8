package io.github.ssm4j.objective.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wall time of replayed ops, summed by op name, when {@code -Dssm4j.replay.profile=true}: SameDiff's own
 * profiling listener does not see replayed executions. {@link #report} lists the most expensive op kinds.
 */
public final class OpProfile {
    private static final Map<String, long[]> TOTALS = new ConcurrentHashMap<>();

    private OpProfile() {
    }

    static void record(String opName, long nanos) {
        long[] t = TOTALS.computeIfAbsent(opName, k -> new long[2]);
        t[0] += nanos;
        t[1]++;
    }

    /** The op kinds by total time, with calls and share; empty unless profiling was on. */
    public static String report(int top) {
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(TOTALS.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        long all = rows.stream().mapToLong(e -> e.getValue()[0]).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %10s %8s %6s%n", "op", "total ms", "calls", "share"));
        for (Map.Entry<String, long[]> e : rows.subList(0, Math.min(top, rows.size()))) {
            sb.append(String.format(Locale.ROOT, "%-28s %10.1f %8d %5.1f%%%n", e.getKey(), e.getValue()[0] / 1e6,
                    e.getValue()[1], 100.0 * e.getValue()[0] / Math.max(1, all)));
        }
        return sb.toString();
    }

    /** Forgets what was recorded. */
    public static void reset() {
        TOTALS.clear();
    }
}
