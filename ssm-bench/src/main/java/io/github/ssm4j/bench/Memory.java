package io.github.ssm4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import org.bytedeco.javacpp.Pointer;

/**
 * Peaks of the three memories a step uses: the Java heap (sum of the heap pools' peak usage since
 * {@link #reset}), native memory (the resident set beyond the JVM's committed heap and non-heap memory:
 * ND4J's arrays, libnd4j's and OpenBLAS's own, sampled) and the process's resident set (sampled).
 */
final class Memory {
    private long offHeapPeak;
    private long rssPeak;

    void reset() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
        offHeapPeak = 0;
        rssPeak = 0;
    }

    void sample() {
        long rss = Pointer.physicalBytes();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        // ND4J's arrays are malloc'ed natively and JavaCPP's totalBytes does not count them, so native memory
        // is what the process holds beyond the JVM's own: exact when the heap is pre-touched (the timing
        // runs); otherwise low by the part of the committed heap not yet touched
        offHeapPeak = Math.max(offHeapPeak, Math.max(0, rss - heap.getCommitted() - nonHeap.getCommitted()));
        rssPeak = Math.max(rssPeak, rss);
    }

    static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The process's minor page faults so far (fresh pages the kernel had to map), from /proc/self/stat. */
    static long minorFaults() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]);
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    long offHeapPeak() {
        return offHeapPeak;
    }

    long rssPeak() {
        return rssPeak;
    }
}
