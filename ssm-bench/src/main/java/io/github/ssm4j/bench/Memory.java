package io.github.ssm4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import org.bytedeco.javacpp.Pointer;

/**
 * Peaks of the three memories a step uses: the Java heap (sum of the heap pools' peak usage since
 * {@link #reset}), ND4J's off-heap arrays (JavaCPP's tracked allocations, sampled) and the process's resident
 * set (sampled).
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
        offHeapPeak = Math.max(offHeapPeak, Pointer.totalBytes());
        rssPeak = Math.max(rssPeak, Pointer.physicalBytes());
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
