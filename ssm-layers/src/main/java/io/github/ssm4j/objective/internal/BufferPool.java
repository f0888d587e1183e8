package io.github.ssm4j.objective.internal;

import io.github.ssm4j.objective.internal.OpTracer.ArrayShape;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Free arrays by shape, type and ordering, so that ops whose lifetimes do not overlap share a buffer. */
final class BufferPool {
    private final Map<String, Deque<INDArray>> free = new HashMap<>();
    private final Map<INDArray, String> keys = new IdentityHashMap<>();
    private final Set<INDArray> released = Collections.newSetFromMap(new IdentityHashMap<>());

    INDArray take(ArrayShape shape) {
        String key = shape.dataType() + Arrays.toString(shape.shape()) + shape.ordering();
        Deque<INDArray> d = free.get(key);
        INDArray a = d == null ? null : d.pollFirst();
        if (a != null) {
            released.remove(a);
            return a;
        }
        a = shape.empty() ? Nd4j.empty(shape.dataType())
                : Nd4j.createUninitialized(shape.dataType(), shape.shape(), shape.ordering());
        if (!shape.empty()) {
            keys.put(a, key);
        }
        return a;
    }

    /** Returns the array to the pool; false if it was already free (or is empty, which holds nothing). */
    boolean release(INDArray a) {
        String key = keys.get(a);
        if (key == null || !released.add(a)) {
            return false;
        }
        free.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(a);
        return true;
    }
}
