package io.github.ssm4j.autodiff.internal;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Sum, mean and max over dimensions, as every reduction the engine emits is built: safe for any run-time
 * size of a dimension that varies with the batch, including 1.
 *
 * <p>Why: ND4J 1.0.0-M2.1 executes a legacy reduce op (sum, mean, max, prod, norm2, variance …) as a
 * copy when its input is a "vector" and the reduction would not change the number of elements
 * ({@code NativeOpExecutioner.exec(ReduceOp)} calls {@code BaseReduceOp.noOp()}); inside SameDiff that
 * copy reads the op's input field, which is unset, and throws a NullPointerException. Measured: it hits
 * exactly the rank-2 inputs whose reduced dimension has size 1 while the other does not ({@code [1, C]}
 * over 0, {@code [N, 1]} over 1). Rank-1 inputs, rank ≥ 3 inputs and reductions to one element are never
 * affected. A bias gradient at batch size 1 ({@code [1, C]} summed over the batch) is the common case.
 *
 * <p>So, with the static shape of the input ({@code -1} where it varies with the batch):
 * <ul>
 *   <li>reduced dimensions all of static size 1 (not a full reduction): nothing to reduce; a reshape drops
 *       them, or with keepDims the input is returned as it is;</li>
 *   <li>rank 2, one reduced dimension that varies with the batch, the other not statically 1: the same
 *       reduction of the rank-3 view {@code [a, b, 1]} (a reshape), reshaped back to the result's rank;</li>
 *   <li>anything else: the plain op, which is safe.</li>
 * </ul>
 * Every op used (reshape, sum, mean, max; squeeze and expand_dims only with several batch dimensions)
 * has a derivative rule and a correct SameDiff gradient, so the result differentiates to any order.
 * Result shapes are recorded in {@link StaticShapes}.
 */
public final class Reductions {
    /** The reductions the engine emits. */
    public enum Kind { SUM, MEAN, MAX }

    private Reductions() {
    }

    public static SDVariable sum(SameDiff sd, SDVariable v, long[] shape, boolean keepDims, int... dims) {
        return reduce(Kind.SUM, sd, v, shape, keepDims, dims);
    }

    public static SDVariable mean(SameDiff sd, SDVariable v, long[] shape, boolean keepDims, int... dims) {
        return reduce(Kind.MEAN, sd, v, shape, keepDims, dims);
    }

    public static SDVariable max(SameDiff sd, SDVariable v, long[] shape, boolean keepDims, int... dims) {
        return reduce(Kind.MAX, sd, v, shape, keepDims, dims);
    }

    /**
     * {@code kind} of {@code v} over {@code dims} (all dimensions when none are given; negative ones count
     * from the end), where {@code shape} is {@code v}'s static shape.
     */
    public static SDVariable reduce(Kind kind, SameDiff sd, SDVariable v, long[] shape, boolean keepDims,
                                    int... dims) {
        int rank = shape.length;
        int[] d = normalise(dims, rank);
        long[] out = outShape(shape, d, keepDims);
        StaticShapes shapes = StaticShapes.of(sd);
        SDVariable r;
        if (d.length < rank && Arrays.stream(d).allMatch(i -> shape[i] == 1)) {
            if (keepDims) {
                return v;
            }
            r = reshape(sd, v, out);
            if (r == null) {                                  // several batch dimensions: squeeze axis by axis
                r = v;
                long[] current = shape.clone();
                for (int k = d.length - 1; k >= 0; k--) {    // from the last, so the others keep their index
                    r = sd.squeeze(r, d[k]);
                    current = remove(current, d[k]);
                    shapes.record(r, current);
                }
            }
        } else if (rank == 2 && d.length == 1 && shape[d[0]] < 0 && shape[1 - d[0]] != 1) {
            long[] viewShape = {shape[0], shape[1], 1};
            SDVariable view = reshape(sd, v, viewShape);
            if (view == null) {
                // [-1, -1]: expand_dims adds no axis to a [1, 1] (ND4J), but that reduction is safe anyway
                view = sd.expandDims(v, 2);
            }
            shapes.record(view, viewShape);
            SDVariable reduced = plain(kind, sd, view, keepDims, d);
            shapes.record(reduced, outShape(viewShape, d, keepDims));
            r = sd.reshape(reduced, out);                     // rank 1, or 2 with keepDims: at most one -1
        } else {
            r = plain(kind, sd, v, keepDims, d);
        }
        shapes.record(r, out);
        return r;
    }

    /**
     * A reduced value (shape {@code outShape(shape, dims, false)}) with the reduced dimensions put back as
     * size 1, so that it broadcasts against the input: the inverse of a reduction without keepDims.
     */
    public static SDVariable keepDims(SameDiff sd, SDVariable reduced, long[] shape, int... dims) {
        int[] d = normalise(dims, shape.length);
        long[] kept = outShape(shape, d, true);
        SDVariable r = reshape(sd, reduced, kept);
        if (r == null) {                                      // several batch dimensions: one axis at a time
            r = reduced;
            for (int i : d) {                                 // ascending: each lands in its final place
                r = sd.expandDims(r, i);
            }
        }
        StaticShapes.of(sd).record(r, kept);
        return r;
    }

    /**
     * {@code v} reshaped to a static shape with at most one {@code -1}, or null if it has more. Reshape,
     * not expand_dims or squeeze: in ND4J 1.0.0-M2.1 expand_dims of a [1, 1] array returns [1, 1] (no new
     * axis) and the gradients of expand_dims and squeeze have the wrong shape on all-ones arrays, which
     * is what a batch of one makes of [N, 1].
     */
    static SDVariable reshape(SameDiff sd, SDVariable v, long[] target) {
        if (Arrays.stream(target).filter(i -> i < 0).count() > 1) {
            return null;
        }
        SDVariable r = sd.reshape(v, target);
        StaticShapes.of(sd).record(r, target);
        return r;
    }

    /**
     * log Σ exp(x) over {@code dims} as {@code m + log Σ exp(x − m)}, {@code m = floor(max x)}: the
     * composition behind {@link io.github.ssm4j.autodiff.StableOps#logSumExp}, for a known static shape.
     */
    public static SDVariable logSumExp(SameDiff sd, SDVariable x, long[] shape, boolean keepDims, int... dims) {
        int[] d = normalise(dims, shape.length);
        SDVariable shift = sd.math.floor(max(sd, x, shape, true, d));
        SDVariable shifted = x.sub(shift);
        StaticShapes.of(sd).record(shifted, shape);
        SDVariable sumExp = sum(sd, sd.math.exp(shifted), shape, keepDims, d);
        SDVariable shiftOut = keepDims ? shift : sd.math.floor(max(sd, x, shape, false, d));
        SDVariable r = sd.math.log(sumExp).add(shiftOut);
        StaticShapes.of(sd).record(r, outShape(shape, d, keepDims));
        return r;
    }

    private static SDVariable plain(Kind kind, SameDiff sd, SDVariable v, boolean keepDims, int[] dims) {
        return switch (kind) {
            case SUM -> sd.sum(v, keepDims, dims);
            case MEAN -> sd.mean(v, keepDims, dims);
            case MAX -> sd.max(v, keepDims, dims);
        };
    }

    /** Sorted, distinct dimensions in [0, rank); all of them for an empty list. */
    static int[] normalise(int[] dims, int rank) {
        if (dims == null || dims.length == 0) {
            return java.util.stream.IntStream.range(0, rank).toArray();
        }
        int[] d = Arrays.stream(dims).map(i -> i < 0 ? i + rank : i).sorted().distinct().toArray();
        for (int i : d) {
            if (i < 0 || i >= rank) {
                throw new IllegalArgumentException("Dimension " + i + " out of range for rank " + rank + ": "
                        + Arrays.toString(dims));
            }
        }
        return d;
    }

    /** The static shape of the reduction's result. */
    public static long[] outShape(long[] shape, int[] dims, boolean keepDims) {
        int[] d = normalise(dims, shape.length);
        long[] r = shape.clone();
        for (int i : d) {
            r[i] = 1;
        }
        if (keepDims) {
            return r;
        }
        for (int k = d.length - 1; k >= 0; k--) {
            r = remove(r, d[k]);
        }
        return r;
    }

    private static long[] remove(long[] a, int i) {
        long[] r = new long[a.length - 1];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - i - 1);
        return r;
    }
}
