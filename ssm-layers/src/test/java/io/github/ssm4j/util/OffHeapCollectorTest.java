package io.github.ssm4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The collection policy, on a simulated process whose memory grows each step and shrinks when collected. */
class OffHeapCollectorTest {
    private static final long MIB = 1L << 20;

    @Test
    void collectsOnlyWhenTheGrowthSinceTheLastCollectionPassesTheBudget() {
        AtomicLong rss = new AtomicLong(500 * MIB);
        OffHeapCollector c = new OffHeapCollector(rss::get, () -> rss.set(500 * MIB), 1024 * MIB);
        long peak = 0;
        for (int step = 0; step < 100; step++) {
            rss.addAndGet(300 * MIB);                  // a step's garbage
            peak = Math.max(peak, rss.get());
            c.check();
        }
        // baseline 800 MiB after the first step; collected when more than 1024 MiB above it (at 2000 MiB),
        // then the baseline is re-measured one step later: every 5 steps
        assertEquals(20, c.collections());
        assertEquals(2000 * MIB, peak, "never more than baseline + budget + one step's garbage");
    }

    @Test
    void aSmallModelNeverPaysForACollectionAndZeroDisables() {
        AtomicLong rss = new AtomicLong(500 * MIB);
        OffHeapCollector small = new OffHeapCollector(rss::get, () -> { throw new AssertionError("collected"); },
                1024 * MIB);
        for (int step = 0; step < 10_000; step++) {
            rss.addAndGet(step % 2 == 0 ? MIB : -MIB);  // steady state: the heap's own collections keep up
            small.check();
        }
        OffHeapCollector off = new OffHeapCollector(rss::get, () -> { throw new AssertionError("collected"); }, 0);
        rss.addAndGet(100_000 * MIB);
        off.check();
        off.check();
        assertEquals(0, off.collections());
        assertThrows(IllegalArgumentException.class, () -> new OffHeapCollector(rss::get, () -> { }, -1));
    }
}
