package io.github.ssm4j.objective;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The array source of the SameDiff session that evaluates an objective's gradients: every op output it hands
 * out during one evaluation is taken back by {@link #recycle()} before the next and handed out again for the
 * same shape, so a training step stops allocating (and page-faulting) fresh native buffers for each of its
 * intermediate arrays.
 *
 * <p>Why: SameDiff 1.0.0-M2.1's gradient session keeps every intermediate array until the end of the call and
 * releases none to its own {@code ArrayCacheMemoryMgr} (measured: 79 allocations and 1 release per SSM-VR
 * evaluation of a 3-layer MLP), so each step allocated all of them anew and left them to the garbage
 * collector. The arrays an evaluation returns (loss, terms, gradients) come from this pool too, hence
 * {@link ObjectiveGraph} copies what it hands to its caller before the next {@code recycle}.
 *
 * <p>Arrays are handed out uninitialised, as SameDiff's own memory managers do; ops write their whole output.
 */
final class RecyclingMemMgr extends AbstractMemoryMgr {
    private final Map<String, ArrayDeque<INDArray>> free = new HashMap<>();
    private final List<INDArray> handedOut = new ArrayList<>();

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        return take(dataType, 'c', shape);
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        return take(descriptor.dataType(), descriptor.getOrder(), descriptor.getShape());
    }

    private INDArray take(DataType dataType, char order, long[] shape) {
        String key = dataType + "/" + order + Arrays.toString(shape);
        ArrayDeque<INDArray> pool = free.get(key);
        INDArray a = pool == null ? null : pool.poll();
        if (a == null) {
            a = Nd4j.createUninitializedDetached(dataType, order, shape);
        }
        handedOut.add(a);
        return a;
    }

    /** Arrays the session no longer needs stay handed out until {@link #recycle()}: nothing to do now. */
    @Override
    public void release(INDArray array) {
    }

    /** Takes back every array handed out since the last call; call it only when none of them is in use. */
    void recycle() {
        for (INDArray a : handedOut) {
            free.computeIfAbsent(a.dataType() + "/" + a.ordering() + Arrays.toString(a.shape()),
                    k -> new ArrayDeque<>()).add(a);
        }
        handedOut.clear();
    }

    @Override
    public void close() {
        free.clear();
        handedOut.clear();
    }
}
