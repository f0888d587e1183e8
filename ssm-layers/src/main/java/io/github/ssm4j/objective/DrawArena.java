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
 * The arrays one {@link ObjectiveGraph}'s training steps draw their projections and noise into, kept from
 * step to step ({@link ObjectiveGraph#drawForStep}).
 *
 * <p>Why: a fresh draw is a heap array of doubles (the 784-wide benchmark network's projections are 0.8 MB,
 * a "humongous" object for the garbage collector), its float copy, and a new off-heap array filled from it:
 * ≈ 0.75 ms of a ≈ 22 ms step, of which the off-heap array alone was ≈ 0.26 ms and the values' bulk copy into
 * an existing one ≈ 0.015 ms (docs/BENCHMARKS.md, change 19). The values are the same either way: the
 * objective draws them into a double array exactly as before, and only where they are put changes.
 *
 * <p>How: while {@link #draw} runs, this arena is the current thread's, and the built-in objectives' draws
 * ({@link Objectives#drawn}) take their arrays from it, one slot per array in the order they are drawn; a
 * slot is reused when the next step asks for the same shape and type, and replaced otherwise. Objectives
 * written by users allocate as usual. Only on the CPU backend, whose arrays' memory Java can write directly.
 */
final class DrawArena {
    private static final ThreadLocal<DrawArena> CURRENT = new ThreadLocal<>();

    private final List<INDArray> slots = new ArrayList<>();
    private double[] values = new double[0];
    private float[] floats = new float[0];
    private int next;

    /** Runs {@code draw} with this arena current on this thread; its arrays are overwritten by the next call. */
    RandomDraws draw(Supplier<RandomDraws> draw) {
        DrawArena outer = CURRENT.get();
        CURRENT.set(this);
        next = 0;
        try {
            return draw.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /** The current thread's arena, or null when arrays are to be allocated afresh. */
    static DrawArena current() {
        return CpuBackend.active() ? CURRENT.get() : null;
    }

    /**
     * A c-order array of {@code shape} and {@code type} holding the values {@code fill} writes into the double
     * array it is given (of the array's length; every element must be written), from the next slot.
     */
    INDArray filled(long[] shape, DataType type, Consumer<double[]> fill) {
        int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        if (values.length != n) {
            values = new double[n];
        }
        fill.accept(values);
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            return Objectives.typed(values.clone(), shape, type);
        }
        INDArray target = slot(shape, type);
        if (type == DataType.DOUBLE) {
            target.data().asNioDouble().put(values, 0, n);
        } else {
            if (floats.length != n) {
                floats = new float[n];
            }
            for (int i = 0; i < n; i++) {
                floats[i] = (float) values[i];
            }
            target.data().asNioFloat().put(floats, 0, n);
        }
        return target;
    }

    private INDArray slot(long[] shape, DataType type) {
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
