package io.github.ssm4j.objective;

import io.github.ssm4j.util.CpuBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Arrays one {@link ObjectiveGraph} keeps from call to call for what it would otherwise allocate afresh at every
 * training step: the projections and noise its steps draw ({@link ObjectiveGraph#drawForStep}), and the
 * arrays the objectives build their feeds in (noised inputs x + σz, denoising targets, x ± εv).
 *
 * <p>Why: fresh arrays of a batch's size cost their allocation and, when the C library hands the memory back
 * to the system in between, a page fault for every 4 KB of them at their first touch (≈ 14 µs each here). A
 * fresh draw of the 784-wide benchmark network's projections — a 0.8 MB array of doubles, a "humongous"
 * object for the garbage collector, its float copy and a new off-heap array — took ≈ 0.5 ms of a ≈ 22 ms step
 * (docs/BENCHMARKS.md, change 19), and DSM's and FD-SSM's feeds, three 0.4 MB arrays each, ≈ 300 page faults
 * a step (change 21). The values are the same either way; only where they are put changes.
 *
 * <p>How: while {@link #run} runs, this arena is the current thread's, and the built-in objectives take their
 * arrays from it ({@link Objectives#drawn}, {@link Objectives#kept}), one slot per array in the order they ask:
 * a slot is reused when the next call asks for the same shape and type, and replaced otherwise. Objectives
 * written by users allocate as usual. Only on the CPU backend, whose arrays' memory Java can write directly.
 */
final class ArrayArena {
    private static final ThreadLocal<ArrayArena> CURRENT = new ThreadLocal<>();

    private final List<INDArray> slots = new ArrayList<>();
    private double[] values = new double[0];
    private float[] floats = new float[0];
    private int next;

    /** Runs {@code work} with this arena current on this thread; its arrays are overwritten by the next run. */
    <T> T run(Supplier<T> work) {
        ArrayArena outer = CURRENT.get();
        CURRENT.set(this);
        next = 0;
        try {
            return work.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /** The current thread's arena, or null when arrays are to be allocated afresh. */
    static ArrayArena current() {
        return CpuBackend.active() ? CURRENT.get() : null;
    }

    /**
     * A c-order array of {@code shape} and {@code type} holding the values {@code fill} writes into the double
     * array it is given (of the array's length; every element must be written), from the next slot.
     */
    INDArray filled(long[] shape, DataType type, Consumer<double[]> fill) {
        int n = Objectives.length(shape);
        if (values.length != n) {
            values = new double[n];
        }
        fill.accept(values);
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            return Objectives.typed(values.clone(), shape, type);
        }
        INDArray target = next(shape, type);
        if (type == DataType.DOUBLE) {
            target.data().asNioDouble().put(values, 0, n);
        } else {
            if (floats.length != n) {
                floats = new float[n];
            }
            Objectives.narrow(values, floats);
            target.data().asNioFloat().put(floats, 0, n);
        }
        return target;
    }

    /** The next slot's array: of {@code shape} and {@code type}, c order, contents undefined. */
    INDArray next(long[] shape, DataType type) {
        int i = next++;
        INDArray kept = i < slots.size() ? slots.get(i) : null;
        if (kept != null && !kept.wasClosed() && kept.dataType() == type && Arrays.equals(kept.shape(), shape)) {
            return kept;
        }
        if (kept != null && !kept.wasClosed() && kept.closeable()) {
            kept.close();
        }
        INDArray fresh;
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            fresh = Nd4j.create(type, shape, 'c');   // kept across steps: never in a caller's workspace
        }
        if (i < slots.size()) {
            slots.set(i, fresh);
        } else {
            slots.add(fresh);
        }
        return fresh;
    }
}
