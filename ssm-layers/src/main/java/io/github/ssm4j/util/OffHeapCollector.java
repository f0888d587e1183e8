package io.github.ssm4j.util;

import java.util.function.LongSupplier;
import org.bytedeco.javacpp.Pointer;

/**
 * Asks the JVM for a garbage collection when the process's physical memory has grown by more than a
 * budget since the last one.
 *
 * <p>Why: ND4J frees an array's off-heap buffer only when its Java object is collected, and SameDiff leaves
 * the intermediate arrays of an execution to that. A training step of a convolutional score model creates
 * hundreds of megabytes of them but almost no Java heap, so the collection that would free them does not
 * come: measured on lenet-ebm (SSM-VR, batch 64), the process grew by ≈ 0.5 GB a step until the native
 * allocator's physical-memory limit forced collections with minute-long stalls, or the kernel killed it.
 * With a collection whenever the growth passes the budget, the same run stays flat.
 *
 * <p>The budget defaults to 1 GiB; set the system property {@value #BUDGET_PROPERTY} (MiB) to change it, or
 * to 0 to switch the collector off. Small models never reach the budget and never pay for a collection.
 *
 * <p>Stability: internal; called by the objective's evaluation and by sampling after each execution.
 */
public final class OffHeapCollector {
    /** System property: the growth in MiB that triggers a collection; 0 disables. */
    public static final String BUDGET_PROPERTY = "ssm4j.offheap.gcBudgetMiB";

    private static final OffHeapCollector PROCESS = new OffHeapCollector(Pointer::physicalBytes, System::gc,
            Long.getLong(BUDGET_PROPERTY, 1024L) << 20);

    private final LongSupplier physicalBytes;
    private final Runnable collect;
    private final long budgetBytes;
    private long baseline = -1;        // physical bytes after the last collection; -1: measure at the next call
    private int collections;

    OffHeapCollector(LongSupplier physicalBytes, Runnable collect, long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException(BUDGET_PROPERTY + " must be ≥ 0 MiB, got " + (budgetBytes >> 20));
        }
        this.physicalBytes = physicalBytes;
        this.collect = collect;
        this.budgetBytes = budgetBytes;
    }

    /** Call after an execution that may have left garbage arrays: collects if the growth passed the budget. */
    public static void afterExecution() {
        PROCESS.check();
    }

    synchronized void check() {
        if (budgetBytes == 0) {
            return;
        }
        long now = physicalBytes.getAsLong();
        if (baseline < 0) {
            baseline = now;                      // after a collection the buffers are freed asynchronously
        } else if (now - baseline > budgetBytes) {
            collect.run();
            collections++;
            baseline = -1;
        }
    }

    int collections() {
        return collections;
    }
}
