package io.github.ssm4j.autodiff.rules;

import static io.github.ssm4j.autodiff.JvpContext.one;

import io.github.ssm4j.autodiff.JvpContext;
import io.github.ssm4j.autodiff.RuleContext;
import io.github.ssm4j.autodiff.VjpContext;
import io.github.ssm4j.autodiff.internal.Reductions;
import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Reductions over dimensions, with and without keepDims. Sum and mean are linear; max routes the
 * derivative to the maximum (the first one among ties, as SameDiff does); variance is written out from its definition
 * (SameDiff's own variance gradient is wrong in 1.0.0-M2.1, so no rule emits that op).
 */
public final class ReductionRules {
    private ReductionRules() {
    }

    public static void register(RuleTable t) {
        t.rule("reduce_sum",
                c -> one(c.sum(c.tangent(0), c.x(), keepDims(c), dims(c))),
                c -> new SDVariable[] {broadcastBack(c, c.g())})
         .rule("reduce_mean",
                c -> one(c.mean(c.tangent(0), c.x(), keepDims(c), dims(c))),
                c -> new SDVariable[] {divideByCount(c, broadcastBack(c, c.g()))})
         .rule("reduce_max", ReductionRules::maxJvp, ReductionRules::maxVjp)
         .rule("var", ReductionRules::varianceJvp, ReductionRules::varianceVjp);
    }

    /**
     * Where the derivative of a max goes. Over one dimension we follow SameDiff's own gradient: all of it
     * to the first maximum (a one-hot of argmax). Over several dimensions (no argmax there) it is split
     * evenly between tied maxima, which equals SameDiff's wherever the maximum is unique.
     */
    private static SDVariable maxWeights(RuleContext c) {
        int[] dims = dims(c);
        SDVariable isMax = c.x().eq(broadcastBack(c, c.y())).castTo(c.x().dataType());
        if (dims.length == 1) {
            // the first maximum is the one where the running count of maxima reaches 1
            SDVariable count = c.sd().cumsum(isMax, false, false, dims[0]);
            return isMax.mul(count.eq(1.0).castTo(c.x().dataType()));
        }
        return isMax.div(c.sum(isMax, c.x(), true, dims));
    }

    private static SDVariable[] maxJvp(JvpContext c) {
        return one(c.sum(maxWeights(c).mul(c.tangent(0)), c.x(), keepDims(c), dims(c)));
    }

    private static SDVariable[] maxVjp(VjpContext c) {
        return new SDVariable[] {maxWeights(c).mul(expand(c, c.g()))};
    }

    /** var = k·mean((x − μ)²), k = n/(n−1) if bias-corrected: d var = 2k·mean((x − μ)·dx). */
    private static SDVariable[] varianceJvp(JvpContext c) {
        SDVariable centred = c.x().sub(c.mean(c.x(), c.x(), true, dims(c)));
        return one(c.mean(centred.mul(c.tangent(0)), c.x(), keepDims(c), dims(c)).mul(2.0 * correction(c)));
    }

    private static SDVariable[] varianceVjp(VjpContext c) {
        SDVariable centred = c.x().sub(c.mean(c.x(), c.x(), true, dims(c)));
        return new SDVariable[] {divideByCount(c, centred.mul(expand(c, c.g()))).mul(2.0 * correction(c))};
    }

    private static double correction(RuleContext c) {
        if (!Boolean.TRUE.equals(c.property("biasCorrected"))) {
            return 1.0;
        }
        long n = staticCount(c);
        if (n < 0) {
            throw new IllegalStateException("Bias-corrected variance over a dimension that varies with the batch "
                    + "is not supported: " + c.op().getOwnName());
        }
        return n / (n - 1.0);
    }

    // ---- dimension bookkeeping shared with other rule tables ----

    /** The reduced dimensions, normalised to [0, rank); all dimensions for a full reduction. */
    static int[] dims(RuleContext c) {
        int rank = c.rank(c.x());
        Object d = c.property("dimensionz");
        int[] dims = d == null ? new int[0] : RuleArgs.ints(d);
        // SameDiff marks a reduction over everything by no list, an empty one, or Integer.MAX_VALUE
        if (dims.length == 0 || Arrays.stream(dims).anyMatch(i -> i == Integer.MAX_VALUE)) {
            dims = new int[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = i;
            }
        }
        for (int i = 0; i < dims.length; i++) {
            dims[i] = dims[i] < 0 ? dims[i] + rank : dims[i];
        }
        Arrays.sort(dims);
        return dims;
    }

    static boolean keepDims(RuleContext c) {
        return Boolean.TRUE.equals(c.property("keepDims"));
    }

    /** A reduced-shaped value with the reduced dimensions re-inserted as size 1 (broadcastable to x). */
    static SDVariable expand(RuleContext c, SDVariable reduced) {
        return keepDims(c) ? reduced : Reductions.keepDims(c.sd(), reduced, c.shape(c.x()), dims(c));
    }

    /** A reduced-shaped value broadcast back to the full shape of the op's input. */
    static SDVariable broadcastBack(RuleContext c, SDVariable reduced) {
        return c.withShapeOf(c.sd().zerosLike(c.x()).add(expand(c, reduced)), c.x());
    }

    /** Divides by the number of reduced elements: a scalar op when it is static, else counted in the graph. */
    private static SDVariable divideByCount(RuleContext c, SDVariable v) {
        long n = staticCount(c);
        if (n > 0) {
            return v.div((double) n);
        }
        return v.div(c.sum(c.sd().onesLike(c.x()), c.x(), true, dims(c)));
    }

    private static long staticCount(RuleContext c) {
        long[] shape = c.shape(c.x());
        long n = 1;
        for (int d : dims(c)) {
            if (shape[d] < 0) {
                return -1;
            }
            n *= shape[d];
        }
        return n;
    }
}
